"""The masking of Stanford Alpaca's train.py (preprocess and _tokenize_fn), with its tokenizer calls
replaced by token ids given on stdin, so a test can compare corpusmill's alpaca_train_py mode with
the original Python logic. Input: {"max_length", "bos_id", "pad_id", "examples": [{"source_ids",
"example_ids"}]} where the ids are the tokenizer's output for the prompt and for prompt + output +
"</s>" WITHOUT BOS (the caller tokenizes; see masks-train-py.test.ts). Output: the labels of each
example, IGNORE_INDEX (-100) where masked.

Written for corpusmill from train.py's published logic (github.com/tatsu-lab/stanford_alpaca)."""
import copy
import json
import sys

IGNORE_INDEX = -100


def tokenizer_call(ids, bos_id, max_length):
    # LlamaTokenizer(text, truncation=True, max_length=model_max_length): the sequence with BOS,
    # cut on the right to max_length (special tokens count towards it)
    return ([bos_id] + list(ids))[:max_length]


def tokenize_fn(id_lists, bos_id, pad_id, max_length):
    input_ids = [tokenizer_call(ids, bos_id, max_length) for ids in id_lists]
    # tokenized.input_ids.ne(tokenizer.pad_token_id).sum().item()
    input_ids_lens = [sum(1 for t in ids if t != pad_id) for ids in input_ids]
    return dict(input_ids=input_ids, input_ids_lens=input_ids_lens)


def preprocess(req):
    bos, pad, n = req["bos_id"], req["pad_id"], req["max_length"]
    examples_tokenized = tokenize_fn([e["example_ids"] for e in req["examples"]], bos, pad, n)
    sources_tokenized = tokenize_fn([e["source_ids"] for e in req["examples"]], bos, pad, n)
    input_ids = examples_tokenized["input_ids"]
    labels = copy.deepcopy(input_ids)
    for label, source_len in zip(labels, sources_tokenized["input_ids_lens"]):
        label[:source_len] = [IGNORE_INDEX] * len(label[:source_len])
    return dict(input_ids=input_ids, labels=labels)


if __name__ == "__main__":
    out = preprocess(json.load(sys.stdin))
    json.dump(out, sys.stdout)
