//! The OCI distribution API: image references, credentials (docker config, credential helpers,
//! tokens), manifests and blobs, and an `Image` whose layers stream from the registry.

pub mod auth;
pub mod client;
pub mod ecr;
pub mod fargate;
pub mod push;

pub use client::{Client, ClientOptions};

/// `[registry/]repository[:tag][@digest]`, with Docker Hub's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Host (and port) as written, `docker.io` for Docker Hub.
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("invalid image reference {0:?}")]
    InvalidReference(String),
    #[error("{url}: {source}")]
    Http { url: String, source: reqwest::Error },
    #[error("{url}: HTTP {status}{}", if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Status { url: String, status: u16, body: String },
    #[error("{url}: {detail}")]
    Transport { url: String, detail: String },
    #[error("{0}: authentication failed (check `docker login`, the credential helper or --username)")]
    Unauthorized(String),
    #[error("{registry}: access denied: {detail}")]
    Denied { registry: String, detail: String },
    #[error("{url}: not found{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    NotFound { url: String, detail: String },
    #[error("{what}: {detail}")]
    Invalid { what: String, detail: String },
    #[error(transparent)]
    Image(#[from] crate::image::ImageError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Reference {
    /// Parse a reference the way docker does: a first component with a `.` or `:` (or
    /// `localhost`) is a registry; Docker Hub's official images live under `library/`.
    pub fn parse(s: &str) -> Result<Reference, RegistryError> {
        let bad = || RegistryError::InvalidReference(s.to_string());
        let s = s.strip_prefix("docker://").unwrap_or(s);
        if s.is_empty() || s.contains(char::is_whitespace) || s.contains("..") {
            return Err(bad());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                crate::image::validate_digest(d).map_err(|_| bad())?;
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, r)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), r)
            }
            _ => ("docker.io".to_string(), rest),
        };
        let (repo, tag) = match path.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p.to_string(), Some(t.to_string())),
            _ => (path.to_string(), None),
        };
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c);
        if repo.is_empty() || !repo.chars().all(valid) || repo.starts_with('/') || repo.ends_with('/') {
            return Err(bad());
        }
        if tag.as_deref().is_some_and(|t| {
            t.is_empty() || t.len() > 128 || !t.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        }) {
            return Err(bad());
        }
        let repository = if registry == "docker.io" && !repo.contains('/') { format!("library/{repo}") } else { repo };
        Ok(Reference { registry, repository, tag, digest })
    }

    /// The tag or digest the manifest is fetched by (`latest` when neither is given).
    pub fn reference(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }

    /// The API host: Docker Hub's is registry-1.docker.io.
    pub fn api_host(&self) -> &str {
        if self.registry == "docker.io" || self.registry == "index.docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// Looks like a registry reference rather than a file? (`host/repo:tag`, `repo:tag`.)
    pub fn looks_like(s: &str) -> bool {
        !std::path::Path::new(s).exists() && (s.contains(':') || s.contains('/')) && Reference::parse(s).is_ok()
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = Reference::parse("python:3.11").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("docker.io", "library/python", Some("3.11"))
        );
        let r = Reference::parse(
            "localhost:5000/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        )
        .unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "team/app", None)
        );
        assert_eq!(r.reference().len(), 71);
        let r = Reference::parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1").unwrap();
        assert_eq!(r.api_host(), "123456789012.dkr.ecr.us-east-1.amazonaws.com");
        assert_eq!(Reference::parse("busybox").unwrap().reference(), "latest");
        for bad in ["", "Upper/Case", "a b", "host/../x", "x:", "repo@sha256:zz"] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }
}
