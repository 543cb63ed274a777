//! Standard output that a closed pipe ends quietly: `stepwise run small --out - | head -c 100`
//! exits with status 0 once `head` has what it wants, instead of panicking as `println!` does;
//! and standard error that a closed pipe or a full disk never turns into a panic, as
//! `eprintln!` does (`stepwise run small --out - 2>&1 >/dev/null | head -c 1`).

use std::io::{ErrorKind, Write};

/// Writes one line to stdout. When the reader has gone (a broken pipe) the program exits
/// with status 0 at once: whoever reads the output has all they asked for. Any other write
/// error is reported on stderr and exits with status 1.
pub fn line(text: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }
}

/// Writes one line to stderr. A write error is dropped: stderr is where errors would be
/// reported, and the run's own output (stdout or `--out`) still decides the exit status.
pub fn err_line(text: impl std::fmt::Display) {
    let mut err = std::io::stderr().lock();
    // nowhere left to report a failure to report
    let _ = writeln!(err, "{text}");
}

/// `println!` through [`line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stdout::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// `eprintln!` through [`err_line`].
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::stdout::err_line(format_args!($($arg)*))
    };
}
pub(crate) use note;
