//! PHP: extensions built with `docker-php-ext-install` and `pecl` against the build's -dev
//! packages, and `composer install`, run in the builder; the runtime stage is the same php image
//! (cli, apache or fpm: the official images have no smaller variant of the same kind) with the
//! built extensions and the ini files that load them, the application with its vendor/, and the
//! runtime libraries the extensions link (read by the probe), without the -dev packages.

use super::*;
use crate::dockerfile::shell::Command;

/// Where the official php images install extensions (`php-config --extension-dir` is a
/// directory under it) and read their ini files (PHP_INI_DIR/conf.d).
pub const EXTENSIONS: &str = "/usr/local/lib/php/extensions";
pub const CONF_D: &str = "/usr/local/etc/php/conf.d";
/// PEAR's php_dir: `pear install` puts PHP packages here, next to the extensions.
pub const PEAR: &str = "/usr/local/lib/php";

/// Does the image serve the application with the base's own command (php's apache and fpm
/// images run `apache2-foreground` and `php-fpm`)? The cli image runs `php -a`, a REPL.
pub fn serves(o: &Original) -> bool {
    let image = crate::data::ImageRef::parse(&o.base);
    o.base_name() == "php" && image.tag.as_deref().is_some_and(|t| t.contains("apache") || t.contains("fpm"))
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let all = o.commands_in_dirs();
    let php: Vec<&(&super::super::input::Step, &Command, String)> =
        all.iter().filter(|(_, c, _)| super::super::input::classify(c) == CmdClass::Build(Ecosystem::Php)).collect();
    if o.base_name() != "php" {
        let (line, name) =
            php.first().map_or((o.stage.line, "composer".to_string()), |(s, c, _)| (s.line, c.name().to_string()));
        return Err(Refusal::at(
            line,
            format!(
                "`{name}` installs into the system directories of {}, which a runtime stage cannot copy apart: build on a php image (php:VERSION-cli, -apache or -fpm) for a rewrite",
                o.base
            ),
        ));
    }
    // the apache and fpm images work in /var/www/html (their WORKDIR), which the rewrite reads
    // from the file only: a COPY to a relative path, or composer (which installs into the
    // directory it runs in), would be read as relative to /
    let relative_copy = o
        .stage
        .commands
        .iter()
        .any(|c| c.kind.as_copy().is_some_and(|cp| cp.from.is_none() && !cp.dest.starts_with(['/', '$'])));
    let composer = php.iter().any(|(_, c, _)| c.name() == "composer");
    if serves(o) && !o.has_kind(|k| matches!(k, Kind::Workdir { .. })) && (relative_copy || composer) {
        return Err(Refusal::new(format!(
            "{} works in /var/www/html (its own WORKDIR), which this file does not set: add `WORKDIR /var/www/html` before the COPY of the application for a rewrite",
            o.base
        )));
    }
    let runtime = options.runtime_base.clone().unwrap_or_else(|| o.base_raw.clone());
    use_runtime(o, bp, runtime, "the same php image, without the build's -dev packages and build steps");
    let name = |c: &Command| c.name().to_string();
    let extensions = php.iter().any(|(_, c, _)| name(c).starts_with("docker-php-ext") || name(c) == "pecl");
    if php.iter().any(|(_, c, _)| name(c) == "pear") {
        bp.artifact(PEAR, "PEAR's packages and the extensions built in the builder");
    } else if extensions {
        bp.artifact(EXTENSIONS, "the extensions built in the builder (docker-php-ext-install, pecl)");
    }
    if extensions {
        bp.artifact(CONF_D, "the ini files that load the extensions (docker-php-ext-enable)");
        bp.change(
            None,
            format!(
                "the built extensions ({EXTENSIONS}) and their ini files ({CONF_D}) are copied to the runtime stage"
            ),
        );
    }
    // apache's modules and sites enabled in a RUN that stays in the builder (`docker-php-ext-install
    // intl && a2enmod rewrite`): the configuration they change goes along
    let apache = all.iter().any(|(s, c, _)| {
        s.role == Role::Build
            && matches!(c.name(), "a2enmod" | "a2dismod" | "a2enconf" | "a2disconf" | "a2ensite" | "a2dissite")
    });
    if apache {
        bp.artifact("/etc/apache2", "apache's configuration, which a2enmod/a2ensite in a build RUN changed");
        bp.change(None, "/etc/apache2 is copied: a RUN that stays in the builder enables apache modules or sites");
    }
    without_dev_packages(o, bp, &php);
    context_artifacts(o, bp)?;
    super::generic::finish(o, options, bp)
}

/// `composer install` of a composer.json with development packages (require-dev), without
/// `--no-dev`: COMPOSER_NO_DEV=1 (composer 2.2 and later) in the builder leaves them out.
fn without_dev_packages(o: &Original, bp: &mut Blueprint, php: &[&(&super::super::input::Step, &Command, String)]) {
    let install = |c: &Command| c.name() == "composer" && c.args().iter().any(|w| w.text == "install");
    let Some((step, _, _)) = php.iter().find(|(_, c, _)| install(c)) else { return };
    let chosen = o.env("COMPOSER_NO_DEV").is_some()
        || php.iter().any(|(_, c, _)| {
            install(c)
                && (c.has_flag(&["--no-dev", "--dev"]) || c.assignments.iter().any(|(k, _)| k == "COMPOSER_NO_DEV"))
        });
    if chosen {
        bp.change(Some(step.line), "the install already chooses whether development packages are installed");
        return;
    }
    // a program from vendor/bin (phpunit, a dev tool) may be one of them
    if let Some(p) = o.program.as_ref().and_then(|p| p.iter().find(|w| w.contains("vendor/bin/"))) {
        bp.change(Some(step.line), format!("composer.json's development packages kept: the program runs `{p}`"));
        return;
    }
    let Some(manifest) = o.context_file("composer.json") else { return };
    let dev: Vec<String> = serde_json::from_str::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|v| v.get("require-dev").and_then(|d| d.as_object()).map(|d| d.keys().cloned().collect()))
        .unwrap_or_default();
    if dev.is_empty() {
        return;
    }
    bp.before.push((
        step.instruction,
        format!("# imgslim: the development packages of composer.json are not installed{}ENV COMPOSER_NO_DEV=1", o.nl),
    ));
    bp.change(
        Some(step.line),
        format!(
            "COMPOSER_NO_DEV=1 in the builder: composer.json's development packages ({}) are not installed",
            dev.join(", ")
        ),
    );
}
