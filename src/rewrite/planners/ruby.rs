//! Ruby: `bundle install` (native gems compiled with the full image's compilers and headers) in
//! the builder, without the development and test groups when the Gemfile has them; the runtime
//! stage is the `-slim` image with the installed gems (GEM_HOME or the bundle's path), the
//! application, and the runtime libraries the gems' extensions link (read by the probe).

use super::*;
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::toolchains::{bundle_config, bundle_install, gem_install};

/// A shell command of a RUN with its step and the directory it runs in.
type InDir<'o> = (&'o super::super::input::Step, &'o Command, String);

/// The groups a production image leaves out.
const DEV_GROUPS: &str = "development:test";

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let all = o.commands_in_dirs();
    let installs: Vec<InDir> = all.iter().filter(|(_, c, _)| bundle_install(c) || gem_install(c)).cloned().collect();
    if o.base_name() != "ruby" && o.base_env("GEM_HOME").is_none() {
        let (line, name) = installs.first().map_or((o.stage.line, "gem".to_string()), |(s, c, _)| {
            (s.line, c.words.iter().take(2).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "))
        });
        return Err(Refusal::at(
            line,
            format!(
                "`{name}` installs gems into the system directories of {}, which a runtime stage cannot copy apart: build on a ruby image (or set GEM_HOME) for a rewrite",
                o.base
            ),
        ));
    }
    let runtime = runtime_base(o, options, false)
        .ok_or_else(|| Refusal::at(o.stage.line, format!("no runtime image is known for {}", o.base)))?;
    set_runtime(o, bp, runtime, "the Ruby runtime without compilers, headers and build tools")?;
    let dirs = gem_dirs(o, &all, &installs)?;
    for (dir, what) in &dirs {
        let (dir, what) = (dir.as_str(), *what);
        bp.artifact(dir, what);
        bp.change(
            None,
            if what == GEMS {
                format!("the gems installed in {dir} are copied to the runtime stage")
            } else {
                format!("bundler's settings in {dir} are copied to the runtime stage")
            },
        );
    }
    without_dev_groups(o, bp, &installs);
    let gem_roots: Vec<String> = dirs.iter().filter(|(_, w)| *w == GEMS).map(|(d, _)| d.clone()).collect();
    drop_gem_leftovers(o, bp, &installs, &gem_roots);
    context_artifacts(o, bp)?;
    keep_packages(o, bp, o.invoked(), options)?;
    if needs_shell(o) && !bp.runtime_shell {
        return Err(Refusal::new("setup steps need a shell the runtime base does not have"));
    }
    base_saving(o, bp);
    if !o.has_kind(|k| matches!(k, Kind::User { .. })) {
        bp.change(None, "kept running as root: the program may write to its own files; add a USER after checking");
    }
    Ok(())
}

/// Where the gems go: BUNDLE_PATH (ENV, `bundle config set path`, `--path`; `--deployment`
/// means vendor/bundle), else GEM_HOME (the ruby images set /usr/local/bundle). With them, where
/// bundler's settings were written, which the program's `bundle exec` reads: the app's
/// (BUNDLE_APP_CONFIG, else `.bundle` in the app) for `--local` and the remembered install
/// options, the user's (`~/.bundle`) for a plain `bundle config set`.
fn gem_dirs(o: &Original, all: &[InDir], installs: &[InDir]) -> Result<Vec<(String, &'static str)>, Refusal> {
    // the settings' directories, then the gems'
    let (mut config, mut dirs) = (Vec::new(), Vec::new());
    let env_path = o.env("BUNDLE_PATH");
    let app_config =
        |cwd: &str| o.base_env("BUNDLE_APP_CONFIG").map_or_else(|| absolute(cwd, ".bundle"), |d| absolute(cwd, &d));
    let home = o.env("HOME").unwrap_or_else(|| "/root".into());
    for (s, c, cwd) in all {
        if let Some((key, value)) = bundle_config(c) {
            if key == "path" {
                dirs.push(absolute(cwd, &value));
            } else if key == "deployment" && value == "true" {
                dirs.push(absolute(cwd, "vendor/bundle"));
            }
            let local = c.has_flag(&["--local"]);
            config.push(if local { app_config(cwd) } else { absolute(&home, ".bundle") });
        }
        if !bundle_install(c) {
            continue;
        }
        if let Some(p) = c.flag_value(&["--path"]) {
            dirs.push(absolute(cwd, p));
        } else if let Some((_, p)) = c.assignments.iter().find(|(k, _)| k == "BUNDLE_PATH") {
            dirs.push(absolute(cwd, p));
        } else if c.has_flag(&["--deployment"]) {
            dirs.push(absolute(cwd, "vendor/bundle"));
        }
        // bundler remembers these options in the app's configuration
        if c.has_flag(&["--path", "--deployment", "--without", "--with", "--frozen"]) {
            config.push(app_config(cwd));
        }
        if c.has_flag(&["--system"]) {
            return Err(Refusal::at(s.line, "`bundle install --system` installs into Ruby's own directories, which a runtime stage cannot copy apart: install into GEM_HOME or a bundle path for a rewrite"));
        }
    }
    if let Some(p) = env_path {
        dirs.push(absolute(&o.workdir, &p));
    }
    let gem_home = o.base_env("GEM_HOME");
    // `gem install` always, `bundle install` unless it has a path of its own
    if installs.iter().any(|(_, c, _)| gem_install(c)) || dirs.is_empty() {
        match gem_home {
            Some(h) => dirs.push(h),
            None => {
                return Err(Refusal::new(
                    "the gems' directory is not known (no GEM_HOME): set GEM_HOME or BUNDLE_PATH for a rewrite",
                ))
            }
        }
    }
    if let Some(d) = dirs.iter().chain(&config).find(|d| d.contains('$')) {
        return Err(Refusal::new(format!("the gems' directory `{d}` is a variable: name the directory for a rewrite")));
    }
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for (d, what) in dirs.into_iter().map(|d| (d, GEMS)).chain(config.into_iter().map(|d| (d, SETTINGS))) {
        if !out.iter().any(|(o, _)| *o == d) {
            out.push((d, what));
        }
    }
    Ok(out)
}

const GEMS: &str = "the installed gems (with their compiled extensions)";
const SETTINGS: &str = "bundler's settings (path, groups), which `bundle exec` reads";

/// The Gemfile's development and test groups stay out of the install (BUNDLE_WITHOUT in both
/// stages, so `bundle exec` does not look for them), unless the install already chooses its
/// groups or the program runs one of their gems.
fn without_dev_groups(o: &Original, bp: &mut Blueprint, installs: &[InDir]) {
    let Some((first, _, _)) = installs.iter().find(|(_, c, _)| bundle_install(c)) else { return };
    let Some(gemfile) = o.context_file("Gemfile") else { return };
    let (_, dev) = crate::analyze::dockerfile::deps::gemfile(&gemfile);
    if dev.is_empty() {
        return;
    }
    let chosen = o.env("BUNDLE_WITHOUT").is_some()
        || o.env("BUNDLE_WITH").is_some()
        || o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
            bundle_install(c) && c.has_flag(&["--without", "--with"])
                || c.assignments.iter().any(|(k, _)| k == "BUNDLE_WITHOUT" || k == "BUNDLE_WITH")
                || bundle_config(c).is_some_and(|(k, _)| k == "without" || k == "with")
        });
    if chosen {
        bp.change(Some(first.line), "the install already chooses its groups");
        return;
    }
    let argv = o.program.clone().unwrap_or_default();
    // what ENTRYPOINT/CMD and HEALTHCHECK start (a gem name in the sources is not a run)
    let started = o
        .invoked()
        .names
        .iter()
        .filter(|(_, why)| why.starts_with("ENTRYPOINT/CMD") || why.starts_with("HEALTHCHECK"))
        .map(|(n, _)| n);
    let runs = argv.iter().chain(started).find(|w| dev.contains(w));
    if let Some(g) = runs {
        bp.change(None, format!("the development and test groups kept: the program runs `{g}`, a gem of those groups"));
        return;
    }
    let env = format!("ENV BUNDLE_WITHOUT={DEV_GROUPS}");
    bp.before.push((
        first.instruction,
        format!("# imgslim: the development and test groups of the Gemfile are not installed{}{env}", o.nl),
    ));
    bp.env.push(env);
    bp.intended.push("Env");
    bp.change(
        Some(first.line),
        format!(
            "BUNDLE_WITHOUT={DEV_GROUPS} in both stages: the Gemfile's development and test gems ({}) are not installed",
            dev.join(", ")
        ),
    );
}

/// The downloaded .gem files (GEM_HOME/cache) and the extensions' object files and sources stay
/// in the builder.
fn drop_gem_leftovers(o: &Original, bp: &mut Blueprint, installs: &[InDir], roots: &[String]) {
    if installs.is_empty() || roots.is_empty() {
        return;
    }
    let nl = o.nl;
    let roots = roots.join(" ");
    bp.tail.push(format!(
        "# imgslim: the downloaded .gem files and the native extensions' build files stay in the builder{nl}RUN find {roots} \\( -path '*/cache/*.gem' -o -path '*/gems/*' \\( -name '*.o' -o -name '*.c' -o -name mkmf.log \\) \\) -type f -delete"
    ));
    bp.change(None, "the gem cache (.gem files) and the extensions' object files stay in the builder");
}
