//! The one table that gives every rule its stable code. Codes group by category: IS1xx size,
//! IS2xx cache, IS3xx security, IS4xx correctness, IS5xx style. Adding a rule touches its file
//! and this table.

use super::rules::*;
use super::Rule;

pub static RULES: &[(&str, &dyn Rule)] = &[
    ("IS101", &apt_no_install_recommends::AptNoInstallRecommends),
    ("IS102", &apt_lists_not_removed::AptListsNotRemoved),
    ("IS103", &apk_no_cache::ApkNoCache),
    ("IS104", &yum_cache::YumCache),
    ("IS105", &pip_no_cache_dir::PipNoCacheDir),
    ("IS106", &js_package_cache::JsPackageCache),
    ("IS107", &dev_dependencies_in_final_stage::DevDependenciesInFinalStage),
    ("IS108", &build_in_single_stage::BuildInSingleStage),
    ("IS109", &build_deps_in_final_stage::BuildDepsInFinalStage),
    ("IS110", &cleanup_in_later_layer::CleanupInLaterLayer),
    ("IS111", &missing_dockerignore::MissingDockerignore),
    ("IS112", &fat_base_image::FatBaseImage),
    ("IS201", &copy_context_before_deps::CopyContextBeforeDeps),
    ("IS202", &apt_update_alone::AptUpdateAlone),
    ("IS301", &runs_as_root::RunsAsRoot),
    ("IS302", &secrets_in_arg_env::SecretsInArgEnv),
    ("IS303", &sudo::Sudo),
    ("IS304", &add_url::AddUrl),
    ("IS305", &untrusted_registry::UntrustedRegistry),
    ("IS401", &base_image_tag::BaseImageTag),
    ("IS402", &apt_upgrade::AptUpgrade),
    ("IS403", &relative_workdir::RelativeWorkdir),
    ("IS404", &shell_form_cmd::ShellFormCmd),
    ("IS405", &multiple_instructions::MultipleInstructions),
    ("IS406", &undefined_variable::UndefinedVariable),
    ("IS407", &duplicate_stage_name::DuplicateStageName),
    ("IS408", &undefined_arg_in_from::UndefinedArgInFrom),
    ("IS409", &invalid_default_arg_in_from::InvalidDefaultArgInFrom),
    ("IS410", &reserved_stage_name::ReservedStageName),
    ("IS411", &expose_invalid_format::ExposeInvalidFormat),
    ("IS412", &copy_ignored_file::CopyIgnoredFile),
    ("IS413", &from_platform_flag_const::FromPlatformFlagConst),
    ("IS414", &unpinned_versions::UnpinnedVersions),
    ("IS415", &add_instead_of_copy::AddInsteadOfCopy),
    ("IS501", &from_as_casing::FromAsCasing),
    ("IS502", &stage_name_casing::StageNameCasing),
    ("IS503", &consistent_instruction_casing::ConsistentInstructionCasing),
    ("IS504", &legacy_key_value_format::LegacyKeyValueFormat),
    ("IS505", &expose_proto_casing::ExposeProtoCasing),
    ("IS506", &no_empty_continuation::NoEmptyContinuation),
    ("IS507", &maintainer_deprecated::MaintainerDeprecated),
    ("IS508", &cd_instead_of_workdir::CdInsteadOfWorkdir),
    ("IS509", &redundant_target_platform::RedundantTargetPlatform),
    ("IS510", &invalid_definition_description::InvalidDefinitionDescription),
    ("IS511", &label_schema::LabelSchema),
];

/// Rules that run only when named in `enable` (`--enable`, imgslim.toml): IS510 is experimental
/// and off by default in BuildKit too.
pub static OPT_IN: &[&str] = &["IS510"];

pub fn by_code(code: &str) -> Option<&'static dyn Rule> {
    RULES.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, r)| *r)
}

/// Codes a user's word names: a code, a rule name, or an alias (`DL3008`, `JSONArgsRecommended`).
pub fn resolve(word: &str) -> Vec<&'static str> {
    RULES
        .iter()
        .filter(|(c, r)| {
            c.eq_ignore_ascii_case(word)
                || r.meta().name.eq_ignore_ascii_case(word)
                || r.meta().aliases.iter().any(|a| a.eq_ignore_ascii_case(word))
        })
        .map(|(c, _)| *c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for (code, rule) in RULES {
            assert!(codes.insert(*code), "duplicate code {code}");
            let m = rule.meta();
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            let docs = crate::lint::docs(m.name).unwrap_or_else(|| panic!("{code} {} has no doc comment", m.name));
            for section in ["## What it does", "## Why is this bad?", "## Example", "## Use instead"] {
                assert!(docs.contains(section), "{code} docs lack {section}");
            }
            let prefix = match m.category {
                crate::lint::Category::Size => "IS1",
                crate::lint::Category::Cache => "IS2",
                crate::lint::Category::Security => "IS3",
                crate::lint::Category::Correctness => "IS4",
                crate::lint::Category::Style => "IS5",
            };
            assert!(code.starts_with(prefix), "{code} is in the wrong range for {:?}", m.category);
        }
    }

    #[test]
    fn aliases_resolve() {
        assert_eq!(resolve("DL3015"), ["IS101"]);
        assert_eq!(resolve("jsonargsrecommended"), ["IS404"]);
        assert_eq!(resolve("apt-lists-not-removed"), ["IS102"]);
    }
}
