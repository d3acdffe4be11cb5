//! A sign-in as the user typed it: what the form gives, what "Remember me" keeps, and what an
//! account signs in again with after a drop.

#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub server: String,
    pub username: String,
    pub password: String,
    /// Keep the sign-in in this browser, encrypted (see [`crate::remember`]).
    pub remember: bool,
}
