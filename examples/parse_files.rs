//! Parse every file given on the command line (repeat with `-n N`) and print files per second.
//! Used by benches/peers.sh to compare with BuildKit's own parser on the same files.

use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 1;
    if args.first().map(String::as_str) == Some("-n") {
        rounds = args[1].parse().expect("-n N");
        args.drain(..2);
    }
    let files: Vec<Vec<u8>> = args.iter().map(|p| std::fs::read(p).expect("read")).collect();
    let start = Instant::now();
    let mut ok = 0;
    for _ in 0..rounds {
        ok += files.iter().filter(|f| imgslim::dockerfile::parse(f).is_ok()).count();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{:.0} files/s ({} parsed in {:.3} s)", (files.len() * rounds) as f64 / secs, ok, secs);
}
