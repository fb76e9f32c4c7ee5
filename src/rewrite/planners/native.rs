//! C and C++: build with the compilers in the builder; the runtime stage is the slim variant of
//! the distribution with the program and the shared libraries it links (found with ldd).

use super::*;

/// Does a build RUN install into /usr/local (`make install`, `cmake --install`, `ninja install`)?
pub fn installs_to_usr_local(o: &Original) -> bool {
    o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        (matches!(c.name(), "make" | "ninja") && args.contains(&"install"))
            || (c.name() == "cmake" && args.contains(&"--install"))
            || (c.name() == "cmake" && args.contains(&"--target") && args.contains(&"install"))
    })
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if o.program.is_none() {
        return Err(Refusal::new(if o.shell_form {
            "ENTRYPOINT/CMD uses shell syntax: the rewrite cannot tell which binary is the program"
        } else {
            "no ENTRYPOINT or CMD: the rewrite cannot tell which binary is the program"
        }));
    }
    let dirs = if installs_to_usr_local(o) { vec!["/usr/local/bin".to_string()] } else { Vec::new() };
    let bin = program_path(o, &dirs).ok_or_else(|| {
        Refusal::new("ENTRYPOINT/CMD runs a program by name and the build installs nothing with `make install`: the rewrite cannot tell where the binary is")
    })?;
    let runtime = runtime_base(o, options, false).unwrap_or_else(|| o.base_raw.clone());
    set_runtime(o, bp, runtime, "the distribution without compilers, headers and build tools");
    native_runtime(o, bp, &bin, true)
}
