//! The user's preferences for this app — language, theme, desktop notifications — as a state
//! and a pure reducer. The app applies them to the page, keeps them in the browser and, for
//! language and theme, lets them roam with the account's settings ([`PreferencesEffect`]).

use crate::i18n::Lang;
use crate::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preferences {
    pub lang: Lang,
    pub theme: Theme,
    /// The user asked for desktop notifications of new mail (and the browser allowed them).
    pub notify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PreferencesMsg {
    /// The user chose a language here.
    SetLang(Lang),
    /// The user chose a theme here.
    SetTheme(Theme),
    ToggleNotifications,
    /// The browser's answer to the request for notifications.
    NotificationsAllowed(bool),
    /// Language and theme chosen in another browser, arrived with the roaming settings.
    Roamed {
        lang: Option<Lang>,
        theme: Option<Theme>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PreferencesEffect {
    /// Keep the language in this browser and put the page in it.
    ApplyLang(Lang),
    /// Keep the theme in this browser and show the page in it.
    ApplyTheme(Theme),
    /// Write the choice into the settings that roam with the account.
    RoamLang(Lang),
    RoamTheme(Theme),
    /// Ask the browser for permission to notify ([`PreferencesMsg::NotificationsAllowed`]).
    AskNotifications,
    /// Keep whether to notify in this browser.
    SaveNotifications(bool),
}

impl Preferences {
    pub fn update(&mut self, msg: PreferencesMsg) -> Vec<PreferencesEffect> {
        use PreferencesEffect::*;
        match msg {
            PreferencesMsg::SetLang(lang) => {
                self.lang = lang;
                vec![ApplyLang(lang), RoamLang(lang)]
            }
            PreferencesMsg::SetTheme(theme) => {
                self.theme = theme;
                vec![ApplyTheme(theme), RoamTheme(theme)]
            }
            // Turning off needs no permission; turning on asks the browser first.
            PreferencesMsg::ToggleNotifications if self.notify => {
                self.notify = false;
                vec![SaveNotifications(false)]
            }
            PreferencesMsg::ToggleNotifications => vec![AskNotifications],
            PreferencesMsg::NotificationsAllowed(allowed) => {
                self.notify = allowed;
                vec![SaveNotifications(allowed)]
            }
            PreferencesMsg::Roamed { lang, theme } => {
                let mut effects = Vec::new();
                if let Some(lang) = lang.filter(|lang| *lang != self.lang) {
                    self.lang = lang;
                    effects.push(ApplyLang(lang));
                }
                if let Some(theme) = theme.filter(|theme| *theme != self.theme) {
                    self.theme = theme;
                    effects.push(ApplyTheme(theme));
                }
                effects
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PreferencesEffect::*;
    use super::*;

    fn defaults() -> Preferences {
        Preferences { lang: Lang::En, theme: Theme::System, notify: false }
    }

    #[test]
    fn choices_made_here_apply_and_roam_and_roamed_ones_only_apply() {
        let mut prefs = defaults();
        assert_eq!(prefs.update(PreferencesMsg::SetLang(Lang::Ja)), [ApplyLang(Lang::Ja), RoamLang(Lang::Ja)]);
        assert_eq!(
            prefs.update(PreferencesMsg::SetTheme(Theme::Dark)),
            [ApplyTheme(Theme::Dark), RoamTheme(Theme::Dark)]
        );
        let roamed = PreferencesMsg::Roamed { lang: Some(Lang::En), theme: Some(Theme::Dark) };
        assert_eq!(prefs.update(roamed), [ApplyLang(Lang::En)], "the theme is already so; nothing roams back");
        assert_eq!(prefs.lang, Lang::En);
    }

    #[test]
    fn notifications_turn_on_only_with_the_browsers_permission() {
        let mut prefs = defaults();
        assert_eq!(prefs.update(PreferencesMsg::ToggleNotifications), [AskNotifications]);
        assert!(!prefs.notify, "not before the browser said yes");
        assert_eq!(prefs.update(PreferencesMsg::NotificationsAllowed(false)), [SaveNotifications(false)]);
        prefs.update(PreferencesMsg::NotificationsAllowed(true));
        assert!(prefs.notify);
        assert_eq!(prefs.update(PreferencesMsg::ToggleNotifications), [SaveNotifications(false)]);
        assert!(!prefs.notify);
    }
}
