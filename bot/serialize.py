"""Messages to and from plain dicts, so a reply can wait in the outbox (a JSON column)."""

from __future__ import annotations

from typing import Any

from bot.messages import Attachment
from bot.messages import Block
from bot.messages import Button
from bot.messages import Buttons
from bot.messages import ButtonStyle
from bot.messages import Divider
from bot.messages import Fields
from bot.messages import Form
from bot.messages import Input
from bot.messages import InputKind
from bot.messages import Message
from bot.messages import Option
from bot.messages import Section
from bot.messages import Text


def message_to_dict(message: Message) -> dict[str, Any]:
    return {"summary": message.summary, "blocks": [_block_to_dict(b) for b in message.blocks]}


def message_from_dict(data: dict[str, Any]) -> Message:
    return Message(
        tuple(_block_from_dict(b) for b in data.get("blocks", [])), summary=data.get("summary", "")
    )


def _button(b: Button) -> dict[str, Any]:
    return {"label": b.label, "action": b.action, "values": dict(b.values), "style": str(b.style)}


def _input(i: Input) -> dict[str, Any]:
    return {
        "name": i.name,
        "label": i.label,
        "kind": str(i.kind),
        "required": i.required,
        "value": i.value,
        "options": [[o.value, o.label] for o in i.options],
        "max_length": i.max_length,
        "hint": i.hint,
        "error": i.error,
    }


def _block_to_dict(block: Block) -> dict[str, Any]:
    match block:
        case Text(text=t):
            return {"type": "text", "text": t}
        case Section(title=title, body=body):
            return {"type": "section", "title": title, "body": body}
        case Fields(pairs=pairs):
            return {"type": "fields", "pairs": [list(p) for p in pairs]}
        case Buttons(buttons=buttons):
            return {"type": "buttons", "buttons": [_button(b) for b in buttons]}
        case Divider():
            return {"type": "divider"}
        case Attachment(filename=filename, mime_type=mime_type, content=content):
            return {"type": "attachment", "filename": filename, "mime_type": mime_type, "content": content}
        case Form():
            return {
                "type": "form",
                "form_id": block.form_id,
                "title": block.title,
                "inputs": [_input(i) for i in block.inputs],
                "submit_action": block.submit_action,
                "submit_label": block.submit_label,
                "hidden": dict(block.hidden),
                "intro": block.intro,
            }
    raise TypeError(f"unknown block {block!r}")


def _block_from_dict(d: dict[str, Any]) -> Block:
    kind = d["type"]
    if kind == "text":
        return Text(d["text"])
    if kind == "section":
        return Section(d["title"], d.get("body", ""))
    if kind == "fields":
        return Fields(tuple((str(a), str(b)) for a, b in d["pairs"]))
    if kind == "buttons":
        return Buttons(
            tuple(
                Button(
                    b["label"], b["action"], dict(b.get("values", {})), ButtonStyle(b.get("style", "default"))
                )
                for b in d["buttons"]
            )
        )
    if kind == "divider":
        return Divider()
    if kind == "attachment":
        return Attachment(d["filename"], d["mime_type"], d["content"])
    if kind == "form":
        return Form(
            form_id=d["form_id"],
            title=d["title"],
            inputs=tuple(
                Input(
                    name=i["name"],
                    label=i["label"],
                    kind=InputKind(i["kind"]),
                    required=i["required"],
                    value=i["value"],
                    options=tuple(Option(v, lbl) for v, lbl in i["options"]),
                    max_length=i["max_length"],
                    hint=i["hint"],
                    error=i["error"],
                )
                for i in d["inputs"]
            ),
            submit_action=d["submit_action"],
            submit_label=d["submit_label"],
            hidden=dict(d["hidden"]),
            intro=d.get("intro", ""),
        )
    raise ValueError(f"unknown block type {kind!r}")
