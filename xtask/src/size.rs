//! `cargo xtask size`: where the minimal app's bytes go. Builds the bench's minimal apps
//! (ours and the floor: bare `fetch` + prost) as `cargo xtask bench` does, but keeping the
//! function names, and lists what ours links beyond the floor by crate, and inside our crate
//! by module (twiggy's per-function sizes after `wasm-opt -Oz`, before gzip).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::setup::{self, Env, Needs};
use crate::small::Build;
use crate::tools::CargoTool;
use crate::ui::step;
use crate::{process, Result};

const TWIGGY_VERSION: &str = "0.8.0";

/// The apps compared: ours, then the floor.
const APPS: [&str; 2] = ["minimal-ours", "minimal-floor"];

/// `cargo xtask size [--rows N]`.
pub fn run(args: &[String]) -> Result {
    let rows = match args {
        [] => 30,
        [flag, n] if flag == "--rows" => n.parse().map_err(|_| format!("--rows {n}?"))?,
        _ => return Err("usage: cargo xtask size [--rows N]".into()),
    };
    let env = setup::ensure(Needs::default())?;
    let twiggy = step("twiggy", || {
        CargoTool {
            krate: "twiggy",
            bin: "twiggy",
            version: TWIGGY_VERSION.into(),
            locked: true,
            toolchain: None,
        }
        .ensure()
    })?
    .join("twiggy");
    let wasm_opt = step("wasm-opt (binaryen from npm)", || {
        crate::tools::WASM_OPT.ensure(&env.path)
    })?;
    let build = Build::detect();
    let out = crate::host_target_dir().join("size");
    let mut groups = Vec::new();
    for app in APPS {
        let module = step(&format!("build {app} with names"), || {
            named_build(&env, &build, app, &out, &wasm_opt)
        })?;
        groups.push(attribute(&twiggy, &module)?);
    }
    print(&groups[0], &groups[1], rows, &build);
    Ok(())
}

/// The app built as the bench builds it (lto, opt-level "z", one codegen unit, wasm-bindgen,
/// `wasm-opt -Oz`), names kept throughout.
fn named_build(
    env: &Env,
    build: &Build,
    app: &str,
    out: &Path,
    wasm_opt: &Path,
) -> Result<PathBuf> {
    let target = crate::host_target_dir().join("size-target");
    let wasm = crate::bench::size::build_for_size(env, app, build, &target, false)?;
    let name = app.replace('-', "_");
    let dest = out.join(app);
    process::run(
        env.command("wasm-bindgen")
            .args(["--target", "web", "--keep-debug", "--out-dir"])
            .arg(&dest)
            .arg(&wasm),
    )?;
    let module = dest.join(format!("{name}_bg.wasm"));
    process::run(
        env.command(&wasm_opt.to_string_lossy())
            .args(["-Oz", "--debuginfo"])
            .args(crate::setup::WASM_FEATURES)
            .arg(&module)
            .arg("-o")
            .arg(&module),
    )?;
    Ok(module)
}

/// Bytes per group: our crate's items by module (`grpc_web_wasm::protocol::reply`), other
/// code by crate, data segments together; the name section is left out.
fn attribute(twiggy: &Path, module: &Path) -> Result<BTreeMap<String, u64>> {
    let csv = process::output(
        std::process::Command::new(twiggy)
            .args(["top", "-n", "1000000", "-f", "csv"])
            .arg(module),
    )
    .ok_or("twiggy top failed")?;
    let mut groups = BTreeMap::new();
    for line in csv.lines().skip(1) {
        // Name,ShallowSize,...: names may hold commas and are quoted then.
        let (name, rest) = match line.strip_prefix('"') {
            Some(quoted) => quoted.split_once("\",").unwrap_or((quoted, "")),
            None => line.split_once(',').unwrap_or((line, "")),
        };
        let size: u64 = rest.split(',').next().unwrap_or("").parse().unwrap_or(0);
        if name.contains("function names") {
            continue;
        }
        *groups.entry(group(name)).or_insert(0) += size;
    }
    Ok(groups)
}

/// The group of one item's name, e.g. `<grpc_web_wasm[…]::call::Foo>::bar` → `grpc_web_wasm::call`.
fn group(name: &str) -> String {
    if name.starts_with("data") || name.contains("data segment") {
        return "(data: strings, tables)".into();
    }
    if let Some(at) = name.find("grpc_web_wasm[") {
        let path: Vec<&str> = name[at..]
            .split("::")
            .skip(1)
            .take_while(|p| p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .take(2)
            .collect();
        return format!("grpc_web_wasm::{}", path.join("::"));
    }
    let krate = name
        .trim_start_matches(['<', '&', '*'])
        .split(['[', ':', ' ', '<', '>'])
        .next()
        .unwrap_or(name);
    if krate.is_empty() || krate.contains(' ') {
        "(other)".into()
    } else {
        krate.to_string()
    }
}

fn print(ours: &BTreeMap<String, u64>, floor: &BTreeMap<String, u64>, rows: usize, build: &Build) {
    let total = |m: &BTreeMap<String, u64>| m.values().sum::<u64>();
    println!(
        "\nminimal app, {} (raw bytes after wasm-opt -Oz, names excluded):\n  ours {}  floor {}  difference {}\n",
        build.describe(),
        total(ours),
        total(floor),
        total(ours) as i64 - total(floor) as i64
    );
    let mut diff: Vec<(i64, &String)> = ours
        .iter()
        .map(|(k, v)| (*v as i64 - *floor.get(k).unwrap_or(&0) as i64, k))
        .collect();
    diff.sort_by_key(|d| std::cmp::Reverse(d.0));
    println!("{:>8} {:>8} {:>8}  group", "ours", "floor", "+");
    for (d, k) in diff.into_iter().take(rows) {
        println!(
            "{:>8} {:>8} {:>8}  {k}",
            ours.get(k).unwrap_or(&0),
            floor.get(k).unwrap_or(&0),
            d
        );
    }
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn items_are_grouped_by_our_module_or_by_crate() {
        assert_eq!(
            group("<grpc_web_wasm[12ab]::protocol::reply::ReplyDecoder>::next"),
            "grpc_web_wasm::protocol::reply"
        );
        assert_eq!(
            group("grpc_web_wasm[12ab]::call::start::{closure#0}"),
            "grpc_web_wasm::call::start"
        );
        assert_eq!(group("<alloc[9f]::vec::Vec<u8>>::push"), "alloc");
        assert_eq!(group("data segment \".rodata\""), "(data: strings, tables)");
    }
}
