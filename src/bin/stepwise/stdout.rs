//! Standard output that a closed pipe ends quietly: `stepwise run small --out - | head -c 100`
//! exits with status 0 once `head` has what it wants, instead of panicking as `println!` does.

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

/// `println!` through [`line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stdout::line(format_args!($($arg)*))
    };
}
pub(crate) use say;
