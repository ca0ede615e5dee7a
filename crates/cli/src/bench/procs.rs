//! What the twins' processes use, read from `/proc` (Linux): resident memory and CPU time.
//!
//! A [`Sampler`] polls a set of process groups while a twin is under load; peak RSS is the largest
//! sample, CPU time the difference between the first and last reading of each process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Which processes make up one group.
#[derive(Clone, Debug)]
pub enum Select {
    /// One process and its descendants.
    Tree(u32),
    /// Every process running this executable (the Lambda emulator starts instances as it likes).
    Exe(PathBuf),
    /// Every process whose command line contains all of these arguments.
    CmdLine(Vec<String>),
}

/// What a group used over the sampled interval.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Distinct processes seen.
    pub processes: usize,
    /// The largest resident set of any one process, MiB.
    pub peak_rss_mib: f64,
    /// The largest sum of the group's resident sets at one sample, MiB.
    pub peak_total_rss_mib: f64,
    /// User + system CPU seconds used while sampled.
    pub cpu_seconds: f64,
}

struct Group {
    select: Select,
    /// Per pid: CPU ticks at first and last sight.
    ticks: BTreeMap<u32, (u64, u64)>,
    peak_rss_kib: u64,
    peak_total_kib: u64,
}

/// Polls process groups every `every` until [`Sampler::finish`].
pub struct Sampler {
    groups: Arc<Mutex<Vec<(String, Group)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sampler {
    pub fn start(groups: Vec<(String, Select)>, every: Duration) -> Sampler {
        let groups: Vec<(String, Group)> = groups
            .into_iter()
            .map(|(name, select)| {
                let group = Group {
                    select,
                    ticks: BTreeMap::new(),
                    peak_rss_kib: 0,
                    peak_total_kib: 0,
                };
                (name, group)
            })
            .collect();
        let groups = Arc::new(Mutex::new(groups));
        sample_all(&groups);
        let polled = Arc::clone(&groups);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                // /proc reads are quick; blocking here is cheaper than a thread hop each time.
                sample_all(&polled);
            }
        });
        Sampler { groups, task }
    }

    /// Takes a last sample and returns each group's usage, by name.
    pub fn finish(self) -> BTreeMap<String, Usage> {
        self.task.abort();
        sample_all(&self.groups);
        let groups = self.groups.lock().expect("sampler lock");
        groups
            .iter()
            .map(|(name, group)| {
                let ticks: u64 = group.ticks.values().map(|(first, last)| last - first).sum();
                let usage = Usage {
                    processes: group.ticks.len(),
                    peak_rss_mib: mib(group.peak_rss_kib),
                    peak_total_rss_mib: mib(group.peak_total_kib),
                    cpu_seconds: ticks as f64 / clock_ticks_per_second(),
                };
                (name.clone(), usage)
            })
            .collect()
    }
}

/// The group's resident memory now, summed over its processes, KiB.
pub fn rss_kib(select: &Select) -> u64 {
    let table = ProcessTable::read();
    table
        .select(select)
        .iter()
        .filter_map(|pid| table.stats.get(pid))
        .map(|stat| stat.rss_pages * page_kib())
        .sum()
}

fn mib(kib: u64) -> f64 {
    (kib as f64 / 1024.0 * 10.0).round() / 10.0
}

fn sample_all(groups: &Mutex<Vec<(String, Group)>>) {
    let mut groups = groups.lock().expect("sampler lock");
    let table = ProcessTable::read();
    for (_, group) in groups.iter_mut() {
        let mut total_kib = 0;
        for pid in table.select(&group.select) {
            let Some(stat) = table.stats.get(&pid) else {
                continue;
            };
            let rss_kib = stat.rss_pages * page_kib();
            total_kib += rss_kib;
            group.peak_rss_kib = group.peak_rss_kib.max(rss_kib);
            let entry = group.ticks.entry(pid).or_insert((stat.ticks, stat.ticks));
            entry.1 = entry.1.max(stat.ticks);
        }
        group.peak_total_kib = group.peak_total_kib.max(total_kib);
    }
}

struct Stat {
    parent: u32,
    ticks: u64,
    rss_pages: u64,
}

/// One reading of every process.
struct ProcessTable {
    stats: BTreeMap<u32, Stat>,
}

impl ProcessTable {
    fn read() -> ProcessTable {
        let stats = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| Some((pid, read_stat(pid)?)))
            .collect();
        ProcessTable { stats }
    }

    fn select(&self, select: &Select) -> Vec<u32> {
        match select {
            Select::Tree(root) => {
                let mut found = vec![*root];
                let mut next = 0;
                while next < found.len() {
                    let parent = found[next];
                    found.extend(
                        self.stats
                            .iter()
                            .filter(|(_, stat)| stat.parent == parent)
                            .map(|(pid, _)| *pid),
                    );
                    next += 1;
                }
                found.retain(|pid| self.stats.contains_key(pid));
                found
            }
            Select::Exe(exe) => self
                .stats
                .keys()
                .copied()
                .filter(|pid| {
                    std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e == *exe)
                })
                .collect(),
            Select::CmdLine(args) => self
                .stats
                .keys()
                .copied()
                .filter(|pid| {
                    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                        return false;
                    };
                    let words: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
                    args.iter().all(|arg| words.contains(&arg.as_bytes()))
                })
                .collect(),
        }
    }
}

/// `/proc/PID/stat`: fields after the parenthesised command name (which may hold spaces).
fn read_stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: state(0) ppid(1) … utime(11) stime(12) … rss(21).
    let number = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(Stat {
        parent: u32::try_from(number(1)?).ok()?,
        ticks: number(11)? + number(12)?,
        rss_pages: number(21)?,
    })
}

fn page_kib() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(bytes).unwrap_or(4096) / 1024
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// The canonical path of an executable, as `/proc/PID/exe` shows it.
pub fn exe_path(path: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn this_process_is_seen_with_memory_and_cpu_time() {
        // Arrange
        let me = std::process::id();
        let sampler = Sampler::start(
            vec![("me".into(), Select::Tree(me))],
            Duration::from_millis(10),
        );

        // Act: burn CPU until the kernel has charged this process a few ticks.
        let before = read_stat(me).unwrap().ticks;
        let mut x = 0u64;
        while read_stat(me).unwrap().ticks < before + 5 {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        let usage = sampler.finish();

        // Assert
        let me = &usage["me"];
        assert!(me.processes >= 1);
        assert!(me.peak_rss_mib > 1.0, "{me:?}");
        assert!(me.cpu_seconds > 0.0, "{me:?}");
    }

    #[test]
    fn a_process_is_found_by_its_executable() {
        let exe = exe_path(&std::env::current_exe().unwrap()).unwrap();
        let found = ProcessTable::read().select(&Select::Exe(exe));
        assert!(found.contains(&std::process::id()));
    }
}
