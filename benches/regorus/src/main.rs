//! `hegui-bench-regorus POLICY INPUT`: evaluates `data.hegui.bench.deny` of a Rego policy with
//! regorus over one JSON input and prints `{"R1": n, …}`, the violations per rule.

use std::collections::BTreeMap;
use std::process::ExitCode;

fn run(policy: &str, input: &str) -> Result<BTreeMap<String, usize>, String> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy_from_file(policy)
        .map_err(|e| format!("policy: {e}"))?;
    let input = regorus::Value::from_json_file(input).map_err(|e| format!("input: {e}"))?;
    engine.set_input(input);
    let deny = engine
        .eval_rule("data.hegui.bench.deny".to_owned())
        .map_err(|e| format!("eval: {e}"))?;
    let set = deny.as_set().map_err(|e| format!("deny is not a set: {e}"))?;
    let mut counts = BTreeMap::new();
    for v in set.iter() {
        let rule = v["rule"]
            .as_string()
            .map_err(|e| format!("a violation without a rule: {e}"))?;
        *counts.entry(rule.to_string()).or_insert(0) += 1;
    }
    Ok(counts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, input] = args.as_slice() else {
        eprintln!("usage: hegui-bench-regorus POLICY INPUT");
        return ExitCode::from(2);
    };
    match run(policy, input) {
        Ok(counts) => {
            println!("{}", serde_json::to_string(&counts).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
