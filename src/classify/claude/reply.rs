//! Reading a successful reply, strictly: the answer must be exactly the
//! schema's object with values from our enums, or it is an error.

use serde::Deserialize;
use serde_json::Value;

use super::request::TOOL_NAME;
use super::{ClaudeAnswer, ClaudeError, RequestMode};
use crate::classify::Confidence;
use crate::domain::text::sanitize_line;

/// Longest reason kept, in characters: it is shown on one line.
const MAX_REASON_CHARS: usize = 300;

#[derive(Deserialize)]
struct Message {
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
}

/// Content blocks we read; thinking and any newer block types are skipped.
#[derive(Deserialize)]
#[serde(tag = "type")]
enum Block {
    #[serde(rename = "text")]
    Text { text: String },
    #[serde(rename = "tool_use")]
    ToolUse { name: String, input: Value },
    #[serde(other)]
    Other,
}

/// The answer object as the schema defines it, nothing more.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    category: String,
    priority: String,
    confidence: String,
    reason: String,
}

/// Parses the body of a 200 reply.
pub(super) fn parse(body: &[u8], mode: RequestMode) -> Result<ClaudeAnswer, ClaudeError> {
    let message: Message = serde_json::from_slice(body).map_err(|e| {
        let what =
            if serde_json::from_slice::<Value>(body).is_ok() { "not a Messages reply" } else { "not JSON" };
        ClaudeError::MalformedReply(format!("{what} ({})", json_error_kind(&e)))
    })?;
    let stop = message.stop_reason.as_deref();
    if stop == Some("refusal") {
        return Err(ClaudeError::Refused);
    }
    let answer = match mode {
        RequestMode::StructuredOutput => {
            let Some(text) = message.content.iter().find_map(|b| match b {
                Block::Text { text } => Some(text),
                _ => None,
            }) else {
                return Err(cut_off_or(stop, ClaudeError::NoText));
            };
            serde_json::from_str::<Value>(text.trim()).map_err(|_| {
                cut_off_or(stop, ClaudeError::InvalidAnswer("the text block is not JSON".into()))
            })?
        }
        RequestMode::ToolCall => {
            let Some(input) = message.content.into_iter().find_map(|b| match b {
                Block::ToolUse { name, input } if name == TOOL_NAME => Some(input),
                _ => None,
            }) else {
                return Err(cut_off_or(stop, ClaudeError::NoToolCall { tool: TOOL_NAME.into() }));
            };
            input
        }
    };
    read_answer(answer).map_err(|e| cut_off_or(stop, e))
}

/// A reply stopped by `max_tokens` explains whatever is missing or broken.
fn cut_off_or(stop_reason: Option<&str>, err: ClaudeError) -> ClaudeError {
    if stop_reason == Some("max_tokens") { ClaudeError::Truncated } else { err }
}

fn read_answer(value: Value) -> Result<ClaudeAnswer, ClaudeError> {
    let raw: RawAnswer = serde_json::from_value(value)
        .map_err(|e| ClaudeError::InvalidAnswer(sanitize_line(&e.to_string()).into_owned()))?;
    let category = raw.category.parse().map_err(|e: String| ClaudeError::InvalidAnswer(e))?;
    let priority = raw.priority.parse().map_err(|e: String| ClaudeError::InvalidAnswer(e))?;
    let confidence = match raw.confidence.as_str() {
        "high" => Confidence::High,
        "medium" => Confidence::Medium,
        "low" => Confidence::Low,
        other => {
            return Err(ClaudeError::InvalidAnswer(format!(
                "unknown confidence {:?} (expected one of: high, medium, low)",
                sanitize_line(other)
            )));
        }
    };
    Ok(ClaudeAnswer { category, priority, confidence, reason: tidy_reason(&raw.reason) })
}

/// One line, terminal-safe, bounded: the reason is shown as it is.
fn tidy_reason(reason: &str) -> String {
    let line = sanitize_line(reason).split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_REASON_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// A short description of a JSON error that quotes none of the body.
fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Priority};
    use serde_json::json;

    const ANSWER: &str =
        r#"{"category":"billing","priority":"high","confidence":"medium","reason":"Double charge."}"#;

    fn text_reply(text: &str) -> Vec<u8> {
        json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
            "content": [{ "type": "thinking", "thinking": "", "signature": "s" }, { "type": "text", "text": text }],
            "stop_reason": "end_turn", "usage": { "input_tokens": 1, "output_tokens": 1 },
        })
        .to_string()
        .into_bytes()
    }

    fn tool_reply(name: &str, input: Value) -> Vec<u8> {
        json!({
            "type": "message",
            "content": [{ "type": "text", "text": "Sure." }, { "type": "tool_use", "id": "t", "name": name, "input": input }],
            "stop_reason": "tool_use",
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn reads_a_structured_answer_after_a_thinking_block() {
        let answer = parse(&text_reply(ANSWER), RequestMode::StructuredOutput).unwrap();
        assert_eq!(answer.category, Category::Billing);
        assert_eq!(answer.priority, Priority::High);
        assert_eq!(answer.confidence, Confidence::Medium);
        assert_eq!(answer.reason, "Double charge.");
    }

    #[test]
    fn reads_a_tool_answer() {
        let input: Value = serde_json::from_str(ANSWER).unwrap();
        let answer = parse(&tool_reply(TOOL_NAME, input), RequestMode::ToolCall).unwrap();
        assert_eq!(answer.category, Category::Billing);
    }

    #[test]
    fn rejects_everything_else() {
        let wrong_tool = tool_reply("other_tool", serde_json::from_str(ANSWER).unwrap());
        let cases: Vec<(Vec<u8>, RequestMode, &str)> = vec![
            (b"not json".to_vec(), RequestMode::StructuredOutput, "bad reply"),
            (b"{\"content\": 3}".to_vec(), RequestMode::StructuredOutput, "bad reply"),
            (br#"{"content":[]}"#.to_vec(), RequestMode::StructuredOutput, "no text"),
            (br#"{"content":[]}"#.to_vec(), RequestMode::ToolCall, "no tool call"),
            (wrong_tool, RequestMode::ToolCall, "no tool call"),
            (text_reply("```json\n{}\n```"), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(&ANSWER.replace("billing", "refunds")), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(&ANSWER.replace("high", "urgent")), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(&ANSWER.replace("medium", "sure")), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(&ANSWER.replace("billing", "Billing")), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(&ANSWER.replace("}", r#","extra":1}"#)), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(r#"{"category":"billing"}"#), RequestMode::StructuredOutput, "bad answer"),
            (text_reply(r#"["billing"]"#), RequestMode::StructuredOutput, "bad answer"),
            (br#"{"content":[],"stop_reason":"refusal"}"#.to_vec(), RequestMode::ToolCall, "refused"),
            (
                br#"{"content":[{"type":"text","text":"{\"categ"}],"stop_reason":"max_tokens"}"#.to_vec(),
                RequestMode::StructuredOutput,
                "cut off",
            ),
        ];
        for (body, mode, short) in cases {
            let err = parse(&body, mode).unwrap_err();
            assert_eq!(err.short(), short, "{} -> {err}", String::from_utf8_lossy(&body));
        }
    }

    #[test]
    fn the_reason_is_made_safe_to_print() {
        let answer = ANSWER.replace("Double charge.", "Line one\\n\\u001b[2J line two");
        let parsed = parse(&text_reply(&answer), RequestMode::StructuredOutput).unwrap();
        assert_eq!(parsed.reason, "Line one ␛[2J line two");
        let long = ANSWER.replace("Double charge.", &"word ".repeat(200));
        let parsed = parse(&text_reply(&long), RequestMode::StructuredOutput).unwrap();
        assert_eq!(parsed.reason.chars().count(), MAX_REASON_CHARS + 1);
    }
}
