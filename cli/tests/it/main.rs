//! The `scout` binary as a process (one test binary).

mod payout_crash;
