//! `is_complete_request`: is a cell's code finished (Enter runs it in a console) or does it
//! still need lines? Decided from Rust's brackets, strings and comments, without compiling.

/// "complete", "incomplete" (an open bracket, string or comment) or "invalid" (a bracket
/// closed that was never opened, or by the wrong kind).
pub fn status(code: &str) -> &'static str {
    let chars: Vec<char> = code.chars().collect();
    let mut open: Vec<char> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 1;
                i += 2;
                while depth > 0 {
                    match (chars.get(i), chars.get(i + 1)) {
                        (None, _) => return "incomplete",
                        (Some('/'), Some('*')) => (depth, i) = (depth + 1, i + 1),
                        (Some('*'), Some('/')) => (depth, i) = (depth - 1, i + 1),
                        _ => {}
                    }
                    i += 1;
                }
                continue;
            }
            'r' if matches!(next, Some('"') | Some('#')) && !is_ident(chars.get(i.wrapping_sub(1))) => {
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let start = i + 2 + hashes;
                match (start..chars.len()).find(|&j| chars[j..].starts_with(&closing)) {
                    Some(j) => i = j + closing.len(),
                    None => return "incomplete",
                }
                continue;
            }
            '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return "incomplete",
                        Some('\\') => i += 2,
                        Some('"') => break,
                        _ => i += 1,
                    }
                }
            }
            // A char literal ('a', '\n', '\u{1F600}'), not a lifetime ('a).
            '\'' => {
                if next == Some('\\') {
                    if let Some(end) = chars[i + 2..].iter().position(|&c| c == '\'') {
                        i += 2 + end;
                    }
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 2;
                }
            }
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.pop() != Some(opener) {
                    return "invalid";
                }
            }
            _ => {}
        }
        i += 1;
    }
    if open.is_empty() {
        "complete"
    } else {
        "incomplete"
    }
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

#[cfg(test)]
mod tests {
    use super::status;

    #[test]
    fn brackets_strings_and_comments() {
        for code in [
            "",
            "1 + 1",
            "fn f() {}",
            "let s = \"}\";",
            "let c = '{';",
            "fn f<'a>(x: &'a str) {}",
            "// {",
            "/* { */ 1",
            "r#\"{\"#",
            "let v = vec![(1, 2)];",
            "let c = '\\'';",
        ] {
            assert_eq!(status(code), "complete", "{code}");
        }
        for code in ["fn f() {", "let v = vec![1,", "let s = \"abc", "/* open", "foo(", "r#\"open"] {
            assert_eq!(status(code), "incomplete", "{code}");
        }
        for code in ["fn f() }", "(]", "let x = 1);"] {
            assert_eq!(status(code), "invalid", "{code}");
        }
    }
}
