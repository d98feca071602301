//! The binary as an operator runs it: starting where it cannot work,
//! several processes migrating one new file, a service manager's stop.
//! The read-only and full disks are small tmpfs mounts made in a private
//! mount namespace (`unshare`), so no test touches the machine's own.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_yingji");

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("yingji-ops-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a shell script in a private mount namespace; `$Y` is the binary.
fn in_namespace(script: &str) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-ec", script])
        .env("Y", BIN)
        .env("RUST_LOG", "error")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .output()
        .expect("unshare (util-linux) runs");
    (out, started.elapsed())
}

/// Runs a script (see `in_namespace`) that ends by starting the server
/// where it cannot work: the start must stop with exit code 2 within
/// `within`. Returns what it said on stderr.
fn refused_start(script: &str, within: Duration) -> String {
    let (out, took) = in_namespace(script);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(took < within, "took {took:?}: {stderr}");
    stderr
}

#[test]
fn a_database_on_a_read_only_disk_stops_the_start_at_once_saying_where() {
    let dir = temp_dir("ro");
    let script = format!(
        "mount -t tmpfs -o size=8m tmpfs {d}
         DATABASE_URL='sqlite://{d}/y.db?mode=rwc' $Y migrate >/dev/null
         mount -o remount,ro {d}
         DATABASE_URL='sqlite://{d}/y.db?mode=rwc' timeout 20 $Y serve",
        d = dir.display()
    );
    let stderr = refused_start(&script, Duration::from_secs(5));
    assert!(
        stderr.contains("DATABASE_URL") && stderr.contains(&format!("{}/y.db", dir.display())),
        "{stderr}"
    );
}

#[test]
fn a_read_only_database_file_stops_migrate_and_serve() {
    let dir = temp_dir("rofile");
    let script = format!(
        "DATABASE_URL='sqlite://{d}/y.db?mode=rwc' $Y migrate >/dev/null
         mount --bind {d}/y.db {d}/y.db
         mount -o remount,ro,bind {d}/y.db
         if DATABASE_URL='sqlite://{d}/y.db?mode=rwc' $Y migrate; then echo migrate-passed; exit 0; fi
         DATABASE_URL='sqlite://{d}/y.db?mode=rwc' timeout 20 $Y serve",
        d = dir.display()
    );
    let (out, took) = in_namespace(&script);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("migrate-passed"),
        "migrate said up to date on a read-only file"
    );
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(
        stderr.contains("not writable")
            || stderr.contains("readonly")
            || stderr.contains("read-only"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_full_disk_stops_the_start_at_once_naming_the_disk() {
    let dir = temp_dir("full");
    let script = format!(
        "mount -t tmpfs -o size=2m tmpfs {d}
         DATABASE_URL='sqlite://{d}/y.db?mode=rwc' $Y migrate >/dev/null
         dd if=/dev/zero of={d}/filler bs=4k 2>/dev/null || true
         DATABASE_URL='sqlite://{d}/y.db?mode=rwc' timeout 20 $Y serve",
        d = dir.display()
    );
    let stderr = refused_start(&script, Duration::from_secs(5));
    assert!(stderr.contains("no space left"), "{stderr}");
}

#[test]
fn four_processes_migrating_one_new_file_all_succeed() {
    let dir = temp_dir("race");
    let url = format!("sqlite://{}/y.db?mode=rwc", dir.display());
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(BIN)
                .arg("migrate")
                .env("DATABASE_URL", &url)
                .env("RUST_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A service manager stops the server with SIGTERM while requests are in
/// flight (their bodies still arriving): every one of them is answered,
/// and the process ends by itself, not killed by the signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_requests_in_flight_and_exits_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = temp_dir("term");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(BIN)
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/y.db?mode=rwc", dir.display()),
        )
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let up = Instant::now();
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Eight requests whose bodies are half sent when the signal comes.
    let body = "lang=en&next=%2Fpeople";
    let (first, rest) = body.split_at(8);
    let mut streams = Vec::new();
    for _ in 0..8 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /lang HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        streams.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    for mut s in streams {
        s.write_all(rest.as_bytes())
            .await
            .expect("the connection is still open");
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut answer))
            .await
            .expect("answered in time")
            .expect("read the answer");
        assert!(answer.starts_with("HTTP/1.1 303"), "{answer:?}");
        assert!(answer.contains("location: /people"), "{answer:?}");
    }
    let status = tokio::time::timeout(Duration::from_secs(25), child.wait())
        .await
        .expect("the server ends within its grace period")
        .unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "ended by itself, not by the signal: {status:?}"
    );
    // And it no longer listens.
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
    std::fs::remove_dir_all(&dir).ok();
}
