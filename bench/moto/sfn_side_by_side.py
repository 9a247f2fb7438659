#!/usr/bin/env python3
"""Runs state machine definitions through moto's Step Functions interpreter and prints what it measured.

Usage: sfn_side_by_side.py --executions N DEFINITION.json [INPUT.json]

Prints one JSON object: executions, state transitions (StateEntered events in each history), wall seconds,
transitions per second, and the first execution's status and output, so the caller can check that moto and
Patchtide agree on the result before comparing speeds. The Java side of the comparison runs the
same definitions through Patchtide in the same session.
"""
import argparse
import copy
import json
import sys
import time
import types

import boto3
from moto import mock_aws
import moto.stepfunctions.parser.models as parser_models


def _clone_without_executions(obj, memo=None):
    # moto 5.2.1 deep-copies a state machine together with its live executions, whose worker threads hold
    # locks that cannot be copied, so a second StartExecution fails (getmoto/moto#10077). The clone is only a
    # snapshot of the definition: leave the executions out.
    memo = {} if memo is None else memo
    if hasattr(obj, "executions"):
        memo[id(obj.executions)] = []
    return copy.deepcopy(obj, memo)


parser_models.copy = types.SimpleNamespace(deepcopy=_clone_without_executions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=100)
    parser.add_argument("definition")
    parser.add_argument("input", nargs="?")
    args = parser.parse_args()
    with open(args.definition) as f:
        definition = f.read()
    execution_input = "{}"
    if args.input:
        with open(args.input) as f:
            execution_input = f.read()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        machine = sfn.create_state_machine(
            name="side-by-side", definition=definition, roleArn="arn:aws:iam::123456789012:role/bench"
        )["stateMachineArn"]
        started = time.perf_counter()
        arns = [
            sfn.start_execution(stateMachineArn=machine, name=f"run-{i}", input=execution_input)["executionArn"]
            for i in range(args.executions)
        ]
        described = []
        for arn in arns:
            while True:
                d = sfn.describe_execution(executionArn=arn)
                if d["status"] != "RUNNING":
                    described.append(d)
                    break
                time.sleep(0.001)
        wall = time.perf_counter() - started
        transitions = 0
        for arn in arns:
            token = None
            while True:
                page = sfn.get_execution_history(executionArn=arn, **({"nextToken": token} if token else {}))
                transitions += sum(1 for e in page["events"] if e["type"].endswith("StateEntered"))
                token = page.get("nextToken")
                if not token:
                    break
        first = described[0]
        json.dump(
            {
                "executions": args.executions,
                "transitions": transitions,
                "wallSeconds": wall,
                "transitionsPerSecond": transitions / wall,
                "status": first["status"],
                "output": first.get("output"),
            },
            sys.stdout,
        )
        print()


if __name__ == "__main__":
    main()
