//! Tandem domain engine (issue 3).
