//! GnuPG, the OpenPGP peer of the tests and the benchmark's baseline: a home of its own per use
//! (private, as gpg wants it), gpg run without an agent prompt.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A GnuPG home of its own, its agent stopped and its files removed when dropped.
pub struct GpgHome(PathBuf);

impl GpgHome {
    pub fn new(name: &str) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("yubin-gpg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Runs gpg here with `input` on stdin; its stdout. Panics, with what gpg said, on failure.
    pub fn run(&self, args: &[&str], input: &[u8]) -> Vec<u8> {
        self.run_telling(args, input).0
    }

    /// Runs gpg like [`GpgHome::run`]; stdout and what it said on stderr (signature checks).
    pub fn run_telling(&self, args: &[&str], input: &[u8]) -> (Vec<u8>, String) {
        let mut child = Command::new("gpg")
            .arg("--homedir")
            .arg(&self.0)
            .args(["--batch", "--yes", "--pinentry-mode", "loopback", "--trust-model", "always"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg (scripts/setup.sh installs gnupg)");
        // Written from a thread of its own: gpg writes while it reads, and a big input would
        // otherwise fill both pipes and leave each side waiting for the other.
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().unwrap();
        // A gpg that stopped reading (it failed) is told by its status below.
        let _ = writer.join();
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "gpg {args:?}: {said}");
        (out.stdout, said)
    }

    /// Runs gpg like [`GpgHome::run`]; stdout as text.
    pub fn text(&self, args: &[&str], input: &[u8]) -> String {
        String::from_utf8(self.run(args, input)).expect("gpg wrote text")
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").arg("--homedir").arg(&self.0).args(["--kill", "gpg-agent"]).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
