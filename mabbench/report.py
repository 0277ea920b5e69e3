"""The lines a trial prints when it ends."""
from __future__ import annotations


def headline(record: dict) -> str:
    if record.get("status") == "failed":
        earlier = "failed earlier (runtime.retry_failed=true runs it again)" if record.get(
            "skipped") else "failed"
        return f"{earlier} at {record.get('stage')}: {record['reason']}; see {record['path']}"
    if record.get("skipped"):
        return f"already done: {record['path']}"
    dense, target = record["dense"], record["target"]
    metric = record["metric"]
    return "\n".join([
        f"{record['task']}/{record['dataset']} {record['model']} policy={record['policy']} "
        f"seed={record['seed']}",
        f"  dense  {metric} select {dense['select']:.4f} test {dense['test']:.4f}  params {dense['params']}",
        f"  pruned {metric} select {target['select']:.4f} test {target['test']:.4f}  params "
        f"{target['params']} at sparsity {target['sparsity']:g} "
        f"({record['cost']['pulls']} pulls, {record['cost']['seconds']:.2f} s)",
        f"  wrote {record['path']}",
    ])
