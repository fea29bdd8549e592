"""``quancheng proof case``: a case's facts with their proofs in a directory anyone can check.

The bundle holds every fact about the case and what hangs from it (parties, records and
their versions, signatures and refusals, recordings, interruptions, the stored originals,
uploads, documents: the subjects each app declares in ``quancheng.ledger.reconcile``) as
the exact bytes of its ledger leaf, one inclusion proof per fact against its log's latest
checkpoint (signed now if none covers the facts), those checkpoint notes, the verifier keys
that signed them, the standalone verifier ``verify_proof.py`` (``quancheng.ledger.portable``)
and a README in Chinese and English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import Q

from quancheng.ledger import reconcile
from quancheng.ledger.models import Fact
from quancheng.ledger.public import Actor, Proved, write_proof_directory


def find_case(value: str) -> Any:
    """A case by its number, or by its id when no case has that number (as the cases app
    registered it: the ledger knows cases only through ``reconcile``)."""
    return reconcile.find_case(value)


def case_subjects(case: Any) -> dict[str, list[str]]:
    """Every ledger subject that belongs to the case, by subject type, as the apps declared."""
    return reconcile.case_subjects(case.pk)


def case_facts(case: Any) -> list[Fact]:
    query = Q(pk__in=[])
    for subject_type, ids in case_subjects(case).items():
        if ids:
            query |= Q(subject_type=subject_type, subject_id__in=ids)
    return list(Fact.objects.filter(query).select_related("log").order_by("log_id", "seq"))


def write_bundle(case: Any, out: Path, actor: Actor) -> Proved:
    """Write the case's proof bundle into ``out`` (which must be empty or not exist)."""
    return write_proof_directory(
        out,
        case_facts(case),
        actor,
        {"case": {"id": case.pk, "number": case.number, "agency": case.agency.code}},
        lambda proved: readme(case, proved.listing, proved.keys, proved.witnesses, proved.sm2),
    )


def readme(case: Any, listing: list[str], keys: list[str], witnesses: list[str], sm2: bool) -> str:
    """The bundle's README.txt, in Chinese and English: what it holds, how to check it
    (with the packages its keys need), the verifier keys and the ``listing`` of its facts."""
    key_lines = "\n".join(f"    {key}" for key in keys)
    packages = "cryptography gmalg" if sm2 else "cryptography"
    fact_lines = "\n".join(listing)
    return (
        _readme_title(case, len(listing))
        + _readme_chinese(packages, sm2, key_lines, bool(witnesses))
        + _readme_english(packages, sm2, key_lines, bool(witnesses))
        + f"""\
事实清单 / The facts (file, appended at UTC, kind, subject):
{fact_lines}
"""
    )


def _readme_title(case: Any, count: int) -> str:
    """The README's title, with the case and how many facts the bundle holds."""
    return f"""\
全程（Quancheng）案件证明包 / Case proof bundle
=============================================

案件 Case: {case.number}（{case.agency.name}, {case.agency.code}）
事实 Facts: {count}

"""


def _readme_chinese(packages: str, sm2: bool, key_lines: str, witnessed: bool) -> str:
    """The README's Chinese part: the files, how to check them, the verifier keys."""
    witness = "  witnesses.vkey 联署检查点的见证方（上级机关）公钥\n" if witnessed else ""
    zh_packages = "cryptography 与 gmalg 包（SM2 国密签名）" if sm2 else "cryptography 包"
    return f"""\
【中文】
本目录证明：文末所列的每一条事实都原样写入了执法机关的防篡改账本（Merkle 日志，
RFC 9162），而且该账本的状态由机关签名的检查点（C2SP tlog-checkpoint）所确认。

  facts/        每条事实的规范化 JSON（RFC 8785），即账本叶子的原始字节，不得改动
  proofs/       每条事实的包含证明（叶子位置、树大小、审计路径）
  checkpoints/  各日志的签名检查点
  key.vkey      签名公钥（C2SP 验证密钥）
{witness}  manifest.json 文件清单
  verify_proof.py 独立的验证程序

验证方法（无需安装全程，也无需数据库；只需 Python 3.11 以上及 {zh_packages}）：

    pip install {packages}
    python verify_proof.py 本目录

验证程序默认以中文输出；加 --lang en 则以英文输出（python verify_proof.py 本目录 --lang en）。
全部通过时退出码为 0；否则逐条指出哪个文件、哪条事实未通过。
请通过独立渠道（如机关公布的信息）核对 key.vkey 中的公钥，公钥如下：
{key_lines}

"""


def _readme_english(packages: str, sm2: bool, key_lines: str, witnessed: bool) -> str:
    """The README's English part: the files, how to check them, the verifier keys."""
    witness = (
        "  witnesses.vkey the keys of the witnesses (supervisors) that cosigned\n"
        if witnessed
        else ""
    )
    en_packages = (
        "the\n`cryptography` and `gmalg` (SM2 国密 signatures) packages only"
        if sm2
        else "the\n`cryptography` package only"
    )
    return f"""\
【English】
This directory proves that each fact listed at the end was written, unchanged, into the enforcement
agency's tamper-evident ledger (a Merkle log, RFC 9162), whose state the agency signed in a
checkpoint (C2SP tlog-checkpoint).

  facts/        each fact's canonical JSON (RFC 8785): the exact bytes of its ledger leaf;
                do not reformat them
  proofs/       one inclusion proof per fact (leaf index, tree size, audit path)
  checkpoints/  the signed checkpoint of each log
  key.vkey      the public verifier key(s) (C2SP vkey)
{witness}  manifest.json the list of files
  verify_proof.py a standalone verifier

To check it (no Quancheng and no database needed; Python 3.11 or later and {en_packages}):

    pip install {packages}
    python verify_proof.py THIS_DIRECTORY --lang en

(without --lang en, the verifier's messages are in Simplified Chinese). The exit status is
0 only when everything holds; otherwise each failing file and fact is named. Compare the
public key in key.vkey with one obtained independently (for instance as published by the
agency):
{key_lines}

"""
