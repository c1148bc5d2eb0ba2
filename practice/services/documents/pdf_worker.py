"""What the PDF check runs in its limited child (`practice.sandbox`): pypdf reads one PDF and says
what it found, as a JSON-able dict.

The sandbox sets the kernel limits before it imports this module, so nothing a hostile file makes pypdf
do can outlive them: the kernel stops the process at the CPU limit, and allocations beyond the memory
limit fail.
"""
from __future__ import annotations

MAX_PAGES = 10_000
TEXT_PAGES = 3  # pages whose content is decoded, to meet a decompression bomb under pypdf's limits


def inspect(path: str) -> dict:
    """Page count, or the reason the file cannot be read safely."""
    from pypdf import PdfReader, apply_configuration  # noqa: PLC0415 - lazy: heavy library
    from pypdf.errors import (  # noqa: PLC0415 - lazy: heavy library
        FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError)
    limits = dict(zlib_maximum_output_length=50_000_000, lzw_maximum_output_length=50_000_000,
                  run_length_maximum_output_length=50_000_000, maximum_declared_stream_length=50_000_000,
                  stream_decoding_work_maximum_length=100_000_000, image_maximum_buffer_size=50_000_000,
                  page_tree_maximum_depth=64, page_tree_maximum_entries=MAX_PAGES * 2,
                  page_tree_maximum_page_entries=200_000, outline_maximum_depth=64)
    try:
        with apply_configuration(**limits):
            reader = PdfReader(path, strict=False, root_object_recovery_limit=1_000)
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except Exception:  # noqa: BLE001 - any failure means "needs a password"
                    return {"ok": True, "pages": None, "note": "password-protected"}
            count = len(reader.pages)
            if count > MAX_PAGES:
                return {"ok": False, "reason": f"it declares {count:,} pages, more than the {MAX_PAGES:,} this app reads"}
            for page in list(reader.pages)[:TEXT_PAGES]:
                # Decode the content stream itself: text extraction alone swallows pypdf's limit errors.
                contents = page.get_contents()
                if contents is not None:
                    contents.get_data()
                page.extract_text()
            return {"ok": True, "pages": count, **({"note": "encrypted"} if reader.is_encrypted else {})}
    except FileNotDecryptedError:
        return {"ok": True, "pages": None, "note": "password-protected"}
    except LimitReachedError as err:
        return {"ok": False, "reason": f"it goes beyond the limits for safe reading ({_short(err)})"}
    except RecursionError:
        return {"ok": False, "reason": "its structure is nested too deeply or refers to itself"}
    except MemoryError:
        return {"ok": False, "reason": "reading it needs more memory than allowed"}
    except (PdfReadError, PyPdfError) as err:
        return {"ok": False, "reason": f"it is damaged or not a real PDF ({_short(err)})"}
    except Exception as err:  # noqa: BLE001 - any other failure of a hostile file is a refusal, not a crash
        return {"ok": False, "reason": f"it is damaged or not a real PDF ({type(err).__name__}: {_short(err)})"}


def _short(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:160]

