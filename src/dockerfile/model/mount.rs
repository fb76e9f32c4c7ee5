//! `RUN --mount=...` values: a CSV list of `key=value` fields, validated as BuildKit does.
//! Values that still hold a `$VAR` are kept as written and not validated (BuildKit expands them
//! at build time).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    #[serde(rename = "type")]
    pub kind: MountType,
    pub from: Option<String>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub readonly: bool,
    pub id: Option<String>,
    pub sharing: Option<String>,
    pub required: bool,
    pub size: Option<String>,
    pub mode: Option<String>,
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub env: Option<String>,
}

/// Split one CSV record (RFC 4180 quoting: `"a,b"` and `""` inside quotes).
pub fn csv_fields(s: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("extraneous or missing \" in quoted-field".into()),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(_) => return Err("extraneous or missing \" in quoted-field".into()),
            }
            continue;
        }
        loop {
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => break,
                Some('"') => return Err("bare \" in non-quoted-field".into()),
                Some(c) => field.push(c),
            }
        }
        fields.push(field);
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("invalid value for {key}: {v}")),
    }
}

const KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

pub fn parse_mount(val: &str) -> Result<Mount, String> {
    let fields = csv_fields(val).map_err(|e| format!("failed to parse csv mounts: {e}"))?;
    let mut m = Mount {
        kind: MountType::Bind,
        from: None,
        source: None,
        target: None,
        readonly: false,
        id: None,
        sharing: None,
        required: false,
        size: None,
        mode: None,
        uid: None,
        gid: None,
        env: None,
    };
    let mut ro_auto = true;
    for field in &fields {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        let Some(value) = value else {
            match key.as_str() {
                "readonly" | "ro" => (m.readonly, ro_auto) = (true, false),
                "readwrite" | "rw" => (m.readonly, ro_auto) = (false, false),
                "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => m.required = true,
                "required" => return Err(format!("unexpected key '{key}' for mount type '{}'", type_name(m.kind))),
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        let dynamic = value.contains('$');
        match key.as_str() {
            "type" => {
                m.kind = match value.to_ascii_lowercase().as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ if dynamic => MountType::Bind,
                    _ => return Err(format!("unsupported mount type {}", crate::dockerfile::text::go_quote(value))),
                }
            }
            "from" => {
                if let Some(i) = value.find('$') {
                    if i != value.len() - 1 {
                        return Err(format!("'{key}' doesn't support variable expansion, define alias stage instead"));
                    }
                }
                m.from = Some(value.into());
            }
            "source" | "src" => m.source = Some(value.into()),
            "target" | "dst" | "destination" => m.target = Some(value.into()),
            "readonly" | "ro" => {
                if !dynamic {
                    m.readonly = parse_bool(&key, value)?;
                }
                ro_auto = false;
            }
            "readwrite" | "rw" => {
                if !dynamic {
                    m.readonly = !parse_bool(&key, value)?;
                }
                ro_auto = false;
            }
            "required" => {
                if !matches!(m.kind, MountType::Secret | MountType::Ssh) {
                    return Err(format!("unexpected key '{key}' for mount type '{}'", type_name(m.kind)));
                }
                if !dynamic {
                    m.required = parse_bool(&key, value)?;
                }
            }
            "size" => {
                if m.kind != MountType::Tmpfs {
                    return Err(format!("unexpected key '{key}' for mount type '{}'", type_name(m.kind)));
                }
                m.size = Some(value.into());
            }
            "id" => m.id = Some(value.into()),
            "sharing" => {
                let v = value.to_ascii_lowercase();
                if !dynamic && !matches!(v.as_str(), "shared" | "private" | "locked") {
                    return Err(format!("unsupported sharing value {}", crate::dockerfile::text::go_quote(value)));
                }
                m.sharing = Some(v);
            }
            "mode" => {
                if !dynamic && u32::from_str_radix(value, 8).is_err() {
                    return Err(format!("invalid value {value} for mode"));
                }
                m.mode = Some(value.into());
            }
            "uid" | "gid" => {
                if !dynamic && value.parse::<u32>().is_err() {
                    return Err(format!("invalid value {value} for {key}"));
                }
                if key == "uid" {
                    m.uid = Some(value.into());
                } else {
                    m.gid = Some(value.into());
                }
            }
            "env" => m.env = Some(value.into()),
            _ => {
                let mut msg = format!("unexpected key '{key}' in '{field}'");
                if let Some(s) = super::flags::suggest(&key, KEYS.iter().copied()) {
                    msg.push_str(&format!(" (did you mean {s}?)"));
                }
                return Err(msg);
            }
        }
    }
    let file_info_allowed = matches!(m.kind, MountType::Secret | MountType::Ssh | MountType::Cache);
    if !file_info_allowed {
        for (set, what) in [(m.mode.is_some(), "mode"), (m.uid.is_some(), "uid"), (m.gid.is_some(), "gid")] {
            if set {
                return Err(format!("{what} not allowed for \"{}\" type mounts", type_name(m.kind)));
            }
        }
    }
    if ro_auto {
        m.readonly = !matches!(m.kind, MountType::Cache | MountType::Tmpfs);
    }
    if m.kind == MountType::Secret {
        if m.from.is_some() {
            return Err("secret mount should not have a from".into());
        }
        if m.sharing.is_some() {
            return Err("secret mount should not define sharing".into());
        }
        if m.source.is_none() && m.target.is_none() && m.id.is_none() {
            return Err("invalid secret mount. one of source, target required".into());
        }
        if m.source.is_some() && m.id.is_some() {
            return Err("both source and id can't be set".into());
        }
    }
    if m.sharing.is_some() && m.kind != MountType::Cache {
        return Err(format!("invalid cache sharing set for {} mount", type_name(m.kind)));
    }
    Ok(m)
}

pub fn type_name(t: MountType) -> &'static str {
    match t {
        MountType::Bind => "bind",
        MountType::Cache => "cache",
        MountType::Tmpfs => "tmpfs",
        MountType::Secret => "secret",
        MountType::Ssh => "ssh",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts() {
        let m = parse_mount("type=cache,target=/root/.cache/pip,sharing=locked").unwrap();
        assert_eq!((m.kind, m.target.as_deref(), m.readonly), (MountType::Cache, Some("/root/.cache/pip"), false));
        let m = parse_mount("type=bind,source=.,target=/src").unwrap();
        assert!(m.readonly);
        let m = parse_mount("type=secret,id=npmrc,required").unwrap();
        assert!(m.required);
        assert!(parse_mount("type=volume").unwrap_err().contains("unsupported mount type"));
        assert!(parse_mount("type=bind,uid=1").unwrap_err().contains("uid not allowed"));
        assert!(parse_mount("type=cache,tagret=/x").unwrap_err().contains("did you mean target"));
        assert!(parse_mount("type=secret").unwrap_err().contains("one of source, target required"));
        assert_eq!(parse_mount("\"type=cache\",\"target=/a,b\"").unwrap().target.as_deref(), Some("/a,b"));
    }
}
