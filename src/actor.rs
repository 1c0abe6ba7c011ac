//! Who is at the keyboard: the OS account running this process, found from
//! the uid (so `USER=alice ticketdesk ...` does not make anyone alice).

/// The account name of the real uid, or `uid-N` when the system has no name
/// for it (a container, say): a name the assignee rule accepts, so such an
/// agent can still take tickets.
pub fn current() -> String {
    let uid = uzers::get_current_uid();
    match uzers::get_user_by_uid(uid).and_then(|user| user.name().to_str().map(str::to_owned)) {
        Some(name) if is_account_name(&name) => name,
        _ => format!("uid-{uid}"),
    }
}

/// Names the schema accepts for an assignee: 1–64 of letters, digits and `._@-`.
pub fn is_account_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_is_a_valid_account_name_or_a_uid() {
        let me = current();
        assert!(is_account_name(&me), "{me}");
    }

    #[test]
    fn account_names_are_checked_like_the_schema_does() {
        assert!(is_account_name("alice") && is_account_name("j.doe-2@corp"));
        for bad in ["", "bad name", "ünï", "a;b", &"x".repeat(65)] {
            assert!(!is_account_name(bad), "{bad}");
        }
    }
}
