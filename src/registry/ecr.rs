//! Amazon ECR through the AWS SDK: registry tokens (GetAuthorizationToken, with the usual
//! credential chain), repositories (describe, create with scan-on-push and tag immutability),
//! and existing tags. The registry API itself is the ordinary distribution API.

use super::auth::Credentials;
use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_ecr::types::{ImageIdentifier, ImageScanningConfiguration, ImageTagMutability};
use base64::Engine as _;

/// `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrHost {
    pub account: String,
    pub region: String,
}

impl EcrHost {
    pub fn parse(host: &str) -> Option<EcrHost> {
        let re = regex::Regex::new(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$").ok()?;
        let c = re.captures(host)?;
        Some(EcrHost { account: c[1].to_string(), region: c[2].to_string() })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EcrError {
    #[error("ECR {operation}: {message}")]
    Api { operation: &'static str, message: String },
    #[error("repository {repository} does not exist in {account} ({region}); create it or pass --create-repo")]
    NoRepository { repository: String, account: String, region: String },
    #[error("tag {tag} already exists in {repository}, and the repository's tags are immutable: push a new tag")]
    TagExists { repository: String, tag: String },
    #[error("ECR returned an authorization token imgslim cannot read")]
    BadToken,
    #[error("cannot start the AWS SDK runtime: {0}")]
    Runtime(std::io::Error),
}

/// What imgslim needs to know about a repository.
#[derive(Debug, Clone)]
pub struct Repository {
    pub name: String,
    pub immutable: bool,
    pub created: bool,
}

pub struct Ecr {
    host: EcrHost,
    client: aws_sdk_ecr::Client,
    rt: tokio::runtime::Runtime,
}

fn api<E: ProvideErrorMetadata + std::error::Error + 'static>(
    operation: &'static str,
    e: aws_sdk_ecr::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> EcrError {
    let message = match e.as_service_error() {
        Some(s) => format!("{}: {}", s.code().unwrap_or("error"), s.message().unwrap_or("")),
        None => DisplayErrorContext(&e).to_string(),
    };
    EcrError::Api { operation, message }
}

impl Ecr {
    /// An ECR client for the host's region, with the default AWS credential chain (environment,
    /// profiles, SSO, web identity, ECS and EC2 roles). `AWS_ENDPOINT_URL_ECR` redirects the API.
    pub fn new(host: EcrHost) -> Result<Ecr, EcrError> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(EcrError::Runtime)?;
        let config = rt.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(host.region.clone()))
                .load(),
        );
        Ok(Ecr { client: aws_sdk_ecr::Client::new(&config), host, rt })
    }

    /// Registry credentials from GetAuthorizationToken (`AWS` and a 12-hour password).
    pub fn credentials(&self) -> Result<Credentials, EcrError> {
        let out = self
            .rt
            .block_on(self.client.get_authorization_token().send())
            .map_err(|e| api("GetAuthorizationToken", e))?;
        let token = out.authorization_data().first().and_then(|d| d.authorization_token()).ok_or(EcrError::BadToken)?;
        let raw = base64::engine::general_purpose::STANDARD.decode(token).map_err(|_| EcrError::BadToken)?;
        let raw = String::from_utf8(raw).map_err(|_| EcrError::BadToken)?;
        let (user, pass) = raw.split_once(':').ok_or(EcrError::BadToken)?;
        Ok(Credentials { username: user.to_string(), password: pass.to_string() })
    }

    /// The repository, created when missing and `create` is set.
    pub fn repository(
        &self,
        name: &str,
        create: bool,
        scan_on_push: bool,
        immutable: bool,
    ) -> Result<Repository, EcrError> {
        let found = self.rt.block_on(
            self.client.describe_repositories().registry_id(&self.host.account).repository_names(name).send(),
        );
        match found {
            Ok(out) => {
                let r = out.repositories().first();
                Ok(Repository {
                    name: name.to_string(),
                    immutable: r
                        .and_then(|r| r.image_tag_mutability())
                        .is_some_and(|m| *m == ImageTagMutability::Immutable),
                    created: false,
                })
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_repository_not_found_exception()) => {
                if !create {
                    return Err(EcrError::NoRepository {
                        repository: name.to_string(),
                        account: self.host.account.clone(),
                        region: self.host.region.clone(),
                    });
                }
                let mutability = if immutable { ImageTagMutability::Immutable } else { ImageTagMutability::Mutable };
                self.rt
                    .block_on(
                        self.client
                            .create_repository()
                            .registry_id(&self.host.account)
                            .repository_name(name)
                            .image_tag_mutability(mutability)
                            .image_scanning_configuration(
                                ImageScanningConfiguration::builder().scan_on_push(scan_on_push).build(),
                            )
                            .send(),
                    )
                    .map_err(|e| api("CreateRepository", e))?;
                Ok(Repository { name: name.to_string(), immutable, created: true })
            }
            Err(e) => Err(api("DescribeRepositories", e)),
        }
    }

    /// Does the repository have this tag?
    pub fn tag_exists(&self, repository: &str, tag: &str) -> Result<bool, EcrError> {
        let r = self.rt.block_on(
            self.client
                .describe_images()
                .registry_id(&self.host.account)
                .repository_name(repository)
                .image_ids(ImageIdentifier::builder().image_tag(tag).build())
                .send(),
        );
        match r {
            Ok(out) => Ok(!out.image_details().is_empty()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_image_not_found_exception()) => Ok(false),
            Err(e) => Err(api("DescribeImages", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            EcrHost::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
            Some(EcrHost { account: "123456789012".into(), region: "eu-west-1".into() })
        );
        assert_eq!(EcrHost::parse("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn").unwrap().region, "cn-north-1");
        assert_eq!(EcrHost::parse("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com").unwrap().region, "us-east-1");
        assert!(EcrHost::parse("ghcr.io").is_none());
        assert!(EcrHost::parse("12345.dkr.ecr.us-east-1.amazonaws.com").is_none());
    }
}
