//! SSH signatures of decisions: verified in process against the public keys
//! of the policy, made with `ssh-keygen -Y sign` as Git does for
//! `gpg.format=ssh` (so a key in an ssh-agent or on a hardware token works).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::content::NAMESPACE;

/// Why a signature does not prove a decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("it is not signed")]
    Unsigned,
    #[error("its signature is not an OpenSSH signature: {0}")]
    Malformed(String),
    #[error("its signature is for namespace `{0}`, not `{NAMESPACE}`")]
    Namespace(String),
    #[error("it is signed with key {fingerprint}, which is not one of `{by}`'s keys in the policy")]
    NotTheirKey { fingerprint: String, by: String },
    #[error(
        "its signature by {fingerprint} does not match the record: the approved content or the decision changed since it was signed"
    )]
    Mismatch { fingerprint: String },
}

/// Parse a public key line of the policy (`ssh-ed25519 AAAA... comment`).
pub fn parse_public_key(line: &str) -> Result<PublicKey, String> {
    PublicKey::from_openssh(line.trim()).map_err(|e| e.to_string())
}

/// The SHA-256 fingerprint of a key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &ssh_key::public::KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Read a signature as stored: the base64 body, with or without the armour
/// lines and line breaks.
pub fn parse_signature(stored: &str) -> Result<SshSig, SignatureError> {
    let body: String = stored
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    if body.is_empty() {
        return Err(SignatureError::Unsigned);
    }
    let mut pem = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in body.as_bytes().chunks(70) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END SSH SIGNATURE-----\n");
    SshSig::from_pem(pem).map_err(|e| SignatureError::Malformed(e.to_string()))
}

/// The stored form of a signature: its base64 body on one line.
pub fn stored_form(sig: &SshSig) -> Result<String, String> {
    let pem = sig.to_pem(LineEnding::LF).map_err(|e| e.to_string())?;
    Ok(pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>())
}

/// Whether `stored` is a signature over `message` by one of `keys` (the
/// public key lines of person `by`).
pub fn verify(
    by: &str,
    keys: &[String],
    message: &[u8],
    stored: Option<&str>,
) -> Result<(), SignatureError> {
    let sig = parse_signature(stored.ok_or(SignatureError::Unsigned)?)?;
    if sig.namespace() != NAMESPACE {
        return Err(SignatureError::Namespace(sig.namespace().to_owned()));
    }
    let fingerprint = fingerprint(sig.public_key());
    let key = keys
        .iter()
        .filter_map(|k| parse_public_key(k).ok())
        .find(|k| k.key_data() == sig.public_key())
        .ok_or_else(|| SignatureError::NotTheirKey {
            fingerprint: fingerprint.clone(),
            by: by.to_owned(),
        })?;
    key.verify(NAMESPACE, message, &sig)
        .map_err(|_| SignatureError::Mismatch { fingerprint })
}

/// Why a decision could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("no signing key: give --key FILE or set `git config user.signingkey`")]
    NoKey,
    #[error("cannot read the key {path}: {message}")]
    Key { path: String, message: String },
    #[error("`ssh-keygen -Y sign` failed: {0}")]
    Sign(String),
}

/// A key to sign with: what `ssh-keygen -f` is given, and its public half.
pub struct SigningKey {
    /// A private key file, or a public key file whose private half is in
    /// an ssh-agent.
    file: PathBuf,
    pub public: PublicKey,
    /// Holds a `key::` literal written out for `ssh-keygen`.
    _literal: Option<tempfile::NamedTempFile>,
}

impl SigningKey {
    /// The key Git's `user.signingkey` names, read as Git reads it for
    /// `gpg.format=ssh`: a path (`~/` expanded, relative to `dir`) or a
    /// literal `key::ssh-ed25519 AAAA...` public key (signed by the agent).
    pub fn from_git_config(dir: &Path) -> Result<SigningKey, SignError> {
        let config = match crate::git::open(dir) {
            Some(repo) => repo.config().ok(),
            None => git2::Config::open_default().ok(),
        };
        let spec = config
            .and_then(|c| c.get_string("user.signingkey").ok())
            .filter(|s| !s.trim().is_empty())
            .ok_or(SignError::NoKey)?;
        if let Some(literal) = spec.strip_prefix("key::").or_else(|| {
            (spec.starts_with("ssh-") || spec.starts_with("ecdsa-") || spec.starts_with("sk-"))
                .then_some(spec.as_str())
        }) {
            let public = parse_public_key(literal).map_err(|message| SignError::Key {
                path: "user.signingkey".into(),
                message,
            })?;
            let mut file = tempfile::NamedTempFile::new().map_err(|e| SignError::Key {
                path: "a temporary file".into(),
                message: e.to_string(),
            })?;
            writeln!(file, "{}", literal.trim()).map_err(|e| SignError::Key {
                path: file.path().display().to_string(),
                message: e.to_string(),
            })?;
            return Ok(SigningKey {
                file: file.path().to_path_buf(),
                public,
                _literal: Some(file),
            });
        }
        let path = match spec.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(rest),
            None => dir.join(&spec),
        };
        Self::from_file(&path)
    }

    /// A key file: a private key (its public half is read from it, or from
    /// `FILE.pub`) or a public key whose private half is in an ssh-agent.
    pub fn from_file(path: &Path) -> Result<SigningKey, SignError> {
        let err = |message: String| SignError::Key {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let public = if let Ok(public) = parse_public_key(&text) {
            public
        } else if let Ok(private) = PrivateKey::from_openssh(&text) {
            private.public_key().clone()
        } else {
            let mut pub_path = path.as_os_str().to_owned();
            pub_path.push(".pub");
            let text = std::fs::read_to_string(&pub_path).map_err(|_| {
                err(
                    "neither an OpenSSH private or public key, nor one with a `.pub` beside it"
                        .into(),
                )
            })?;
            parse_public_key(&text).map_err(err)?
        };
        Ok(SigningKey {
            file: path.to_path_buf(),
            public,
            _literal: None,
        })
    }

    /// Sign `message` in the decisions' namespace; the stored form of the
    /// signature.
    pub fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        let mut child = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(&self.file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| SignError::Sign(format!("cannot run ssh-keygen: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(message)
                .map_err(|e| SignError::Sign(e.to_string()))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| SignError::Sign(e.to_string()))?;
        if !out.status.success() {
            return Err(SignError::Sign(
                String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            ));
        }
        let armored = String::from_utf8_lossy(&out.stdout);
        let sig = parse_signature(&armored).map_err(|e| SignError::Sign(e.to_string()))?;
        if sig.public_key() != self.public.key_data() {
            return Err(SignError::Sign(
                "ssh-keygen signed with another key than the one given".into(),
            ));
        }
        stored_form(&sig).map_err(SignError::Sign)
    }
}
