//! The floor for `imgslim analyze` on a compressed image: decompress every layer once, discarding
//! the output, on all cores, largest layer first (no tar walk, no merge, no digests).
//! Usage: decompress_layers IMAGE

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: decompress_layers IMAGE");
    let image = imgslim::image::open(path.as_ref(), &Default::default()).expect("open image");
    let start = Instant::now();
    let mut order: Vec<usize> = (0..image.layers.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(image.layers[i].size));
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |p| p.get());
    let total = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(k) else { break };
                let n = imgslim::layer::read::drain(&image.layers[i]).expect("decompress");
                total.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    println!("{:.3} s ({} bytes decompressed, {threads} threads)", start.elapsed().as_secs_f64(), total.into_inner());
}
