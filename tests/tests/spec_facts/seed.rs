//! The seed: the create-project operation as a user gave it (from the 2024 document, with the
//! path parameter `account_identifier`). The 2026 operation keeps its facts where they still
//! hold: the same operation at the same path shape, an account path parameter of at most 32
//! characters, a required JSON body of the seed's settable fields with `name` and
//! `production_branch` required, the same build settings, a 200 envelope and a 4XX failure, and
//! the seed's key-and-email credentials.

use serde_json::{Value, json};

use crate::common::{
    keys, operation, path_params, path_shape, read_text, resolve, set, shared_file, spec,
};
use crate::operations::envelope_required;

pub struct SeedOperation {
    pub path: String,
    pub method: String,
    pub tag: String,
    pub operation_id: String,
    pub parameters: Value,
    pub request_body: Value,
    pub responses: Value,
    pub security: Value,
}

/// The seed file is plain lines: description, path, method, tag, operationId, then a run of JSON
/// values separated by whitespace (two `null`s, the parameters array, the requestBody object, the
/// responses object and the security array).
pub fn parse_seed(text: &str) -> SeedOperation {
    let mut lines = text.splitn(6, '\n');
    let mut header = || lines.next().expect("seed header line").trim().to_string();
    let _description = header();
    let path = header();
    let method = header();
    let tag = header();
    let operation_id = header();
    let rest = lines.next().expect("seed JSON after the header lines");
    let values: Vec<Value> = serde_json::Deserializer::from_str(rest)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("the seed's JSON values parse");
    let mut arrays = values.iter().filter(|v| v.is_array());
    let mut objects = values.iter().filter(|v| v.is_object());
    let parameters = arrays.next().expect("seed parameters array").clone();
    let security = arrays.next().expect("seed security array").clone();
    let request_body = objects.next().expect("seed requestBody object").clone();
    let responses = objects.next().expect("seed responses object").clone();
    SeedOperation {
        path,
        method,
        tag,
        operation_id,
        parameters,
        request_body,
        responses,
        security,
    }
}

fn seed() -> SeedOperation {
    parse_seed(&read_text(&shared_file(
        "seeds/create-project-operation.txt",
    )))
}

#[test]
fn seed_parser_reads_the_json_after_the_header() {
    let text = "Do a thing.\n/a/{b}\npost\nTag\nop-id\nnull null [\n{\"name\": \"b\"}\n] {\n\"required\": true\n} {\"200\": {}} [\n{\"k\": []}\n]\n";
    let seed = parse_seed(text);
    assert_eq!(
        (
            seed.path.as_str(),
            seed.method.as_str(),
            seed.tag.as_str(),
            seed.operation_id.as_str()
        ),
        ("/a/{b}", "post", "Tag", "op-id")
    );
    assert_eq!(seed.parameters, json!([{"name": "b"}]));
    assert_eq!(seed.request_body, json!({"required": true}));
    assert_eq!(seed.responses, json!({"200": {}}));
    assert_eq!(seed.security, json!([{"k": []}]));
}

#[test]
fn create_project_keeps_the_seed_operations_facts() {
    let seed = seed();
    let doc = spec();
    let (path, method, op) = operation(&doc, &seed.operation_id);
    let ours = resolve(&doc, &op, 0);

    // Where: the same operation, method and tag; the path differs only in the parameter's name.
    assert_eq!(path_shape(&path), path_shape(&seed.path), "path shape");
    assert_eq!(method, seed.method);
    assert_eq!(op["tags"], json!([seed.tag]));

    // The one path parameter is the account, a required string of at most 32 characters.
    let [seed_param] = seed
        .parameters
        .as_array()
        .expect("seed parameters")
        .as_slice()
    else {
        panic!("the seed has one parameter");
    };
    let [param] = ours["parameters"]
        .as_array()
        .expect("parameters")
        .as_slice()
    else {
        panic!("create-project has one parameter: {}", ours["parameters"]);
    };
    assert_eq!(
        path_params(&seed.path),
        [seed_param["name"].as_str().unwrap()]
    );
    assert_eq!(path_params(&path), [param["name"].as_str().unwrap()]);
    for key in ["in", "required"] {
        assert_eq!(param[key], seed_param[key], "path parameter `{key}`");
    }
    for key in ["type", "maxLength"] {
        assert_eq!(
            param["schema"][key], seed_param["schema"][key],
            "path parameter schema `{key}`"
        );
    }

    // The body: required JSON object whose fields are fields of the seed's body. The seed
    // declares the whole project (read-only fields included) and nothing required; the 2026
    // body has the fields a create call sets, and requires a name and a production branch.
    let body = &ours["requestBody"];
    let seed_body = &seed.request_body;
    assert_eq!(body["required"], seed_body["required"]);
    assert_eq!(
        keys(&body["content"]),
        keys(&seed_body["content"]),
        "body content types"
    );
    let schema = &body["content"]["application/json"]["schema"];
    let seed_schema = &seed_body["content"]["application/json"]["schema"];
    assert_eq!(schema["type"], seed_schema["type"]);
    let names = keys(&schema["properties"]);
    let seed_names = keys(&seed_schema["properties"]);
    assert!(
        names.is_subset(&seed_names),
        "body fields the seed does not have: {:?}",
        names.difference(&seed_names).collect::<Vec<_>>()
    );
    assert_eq!(
        names,
        set([
            "build_config",
            "deployment_configs",
            "name",
            "production_branch",
            "source"
        ]),
        "create-project body fields"
    );
    assert_eq!(schema["required"], json!(["name", "production_branch"]));
    for name in ["name", "production_branch"] {
        assert_eq!(
            schema["properties"][name]["type"], seed_schema["properties"][name]["type"],
            "`{name}` type"
        );
    }
    let build = &schema["properties"]["build_config"];
    let seed_build = &seed_schema["properties"]["build_config"];
    assert_eq!(
        keys(&build["properties"]),
        keys(&seed_build["properties"]),
        "build_config fields"
    );
    for (name, field) in seed_build["properties"]
        .as_object()
        .expect("seed build_config")
    {
        assert_eq!(
            build["properties"][name]["type"], field["type"],
            "build_config.{name} type"
        );
    }
    assert_eq!(
        keys(&schema["properties"]["deployment_configs"]["properties"]),
        keys(&seed_schema["properties"]["deployment_configs"]["properties"]),
        "deployment_configs environments"
    );

    // Responses: the seed's statuses; success is the envelope with these required members, the
    // failure is the failure envelope (the seed's 4XX is `allOf` success-and-failure, which no
    // body satisfies: that defect is not kept).
    assert_eq!(
        keys(&ours["responses"]),
        keys(&seed.responses),
        "response statuses"
    );
    for status in ["200", "4XX"] {
        assert_eq!(
            keys(&ours["responses"][status]["content"]),
            keys(&seed.responses[status]["content"]),
            "{status} content types"
        );
    }
    let envelope = |r: &Value| envelope_required(&r["content"]["application/json"]["schema"]);
    assert_eq!(
        envelope(&ours["responses"]["200"]),
        envelope(&seed.responses["200"]),
        "required members of the 200 body"
    );
    assert_eq!(
        envelope(&ours["responses"]["200"]),
        set(["errors", "messages", "result", "success"])
    );
    let failure = &ours["responses"]["4XX"]["content"]["application/json"]["schema"];
    assert_eq!(failure["properties"]["success"]["enum"], json!([false]));
    let seed_failure = &seed.responses["4XX"]["content"]["application/json"]["schema"]["allOf"][1];
    assert_eq!(failure["required"], seed_failure["required"]);

    // Security: the seed lists the key-and-email alternative; we list it too (beside the token).
    let alternatives = op["security"].as_array().expect("security");
    for alternative in seed.security.as_array().expect("seed security") {
        assert!(
            alternatives.contains(alternative),
            "security alternative {alternative} of the seed is missing"
        );
    }
}
