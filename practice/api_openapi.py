"""The OpenAPI 3 document of the REST API (`/api/v1/openapi.json`), made from `api_routes.ENDPOINTS` (what is served)
and the shapes `services/api/reads.py` answers with."""
from __future__ import annotations

from practice import routes
from practice.models import AccountType, DocumentStatus, Priority, TaskStatus


def _s(kind: str, nullable: bool = False, **more) -> dict:
    schema = {"type": kind, **more}
    if nullable:
        schema["nullable"] = True
    return schema


ID = _s("integer", minimum=1)
MAYBE_ID = _s("integer", nullable=True, minimum=1)
MOMENT = _s("string", format="date-time")
MAYBE_MOMENT = _s("string", nullable=True, format="date-time")
MAYBE_DAY = _s("string", nullable=True, format="date")
TEXT = _s("string")


def _object(properties: dict, required: list[str] | None = None, extra: bool = False) -> dict:
    return {"type": "object", "properties": properties, "required": required if required is not None
            else list(properties), "additionalProperties": extra}


SCHEMAS = {
    "Error": _object({"error": _object({"status": _s("integer"), "message": TEXT})}),
    "Account": _object({"id": ID, "name": TEXT, "type": _s("string", enum=[t.value for t in AccountType]),
                        "notes": TEXT, "archived": _s("boolean"), "created_at": MOMENT, "updated_at": MOMENT}),
    "Contact": _object({"id": ID, **{f: TEXT for f in (
        "first_name", "last_name", "email", "other_emails", "phone", "other_phones", "street", "city", "region",
        "postal_code", "country", "language")}, "account_ids": _s("array", items=ID), "created_at": MOMENT,
        "updated_at": MOMENT}),
    "Job": _object({"id": ID, "name": TEXT, "account_id": ID, "pipeline_id": ID, "stage_id": ID, "stage": TEXT,
                    "priority": _s("string", enum=[p.value for p in Priority]), "start_date": MAYBE_DAY,
                    "due_date": MAYBE_DAY, "archived": _s("boolean"), "assignee_ids": _s("array", items=ID),
                    "created_at": MOMENT, "entered_stage_at": MOMENT, "updated_at": MOMENT}),
    "Task": _object({"id": ID, "title": TEXT, "description": TEXT,
                     "status": _s("string", enum=[s.value for s in TaskStatus]), "account_id": MAYBE_ID,
                     "job_id": MAYBE_ID, "parent_id": MAYBE_ID, "assignee_id": MAYBE_ID, "due_date": MAYBE_DAY,
                     "created_at": MOMENT, "completed_at": MAYBE_MOMENT, "updated_at": MOMENT}),
    "Document": _object({"id": ID, "name": TEXT, "account_id": ID, "folder_id": MAYBE_ID, "job_id": MAYBE_ID,
                         "size": _s("integer", minimum=0), "content_type": TEXT,
                         "pages": _s("integer", nullable=True, minimum=0),
                         "status": _s("string", enum=[s.value for s in DocumentStatus]), "shared": _s("boolean"),
                         "uploaded_by": TEXT, "uploaded_at": MOMENT, "in_trash": _s("boolean"),
                         "updated_at": MOMENT}),
    "Event": _object({"id": ID, "kind": TEXT, "account_id": MAYBE_ID, "job_id": MAYBE_ID,
                      "payload": {"type": "object"}, "created_at": MOMENT}),
    "TaskNew": _object({"title": _s("string", minLength=1, maxLength=300), "description": _s("string", maxLength=10000),
                        "account_id": MAYBE_ID, "job_id": MAYBE_ID, "assignee_id": MAYBE_ID,
                        "due_date": MAYBE_DAY}, required=["title"]),
    "JobMove": _object({"stage_id": ID, "from_stage_id": MAYBE_ID}, required=["stage_id"]),
}

_PARAM_SCHEMAS = {"integer": lambda p: _s("integer", minimum=1, maximum=2**31 - 1),
                  "boolean": lambda p: _s("boolean"), "date-time": lambda p: _s("string", format="date-time"),
                  "string": lambda p: _s("string", maxLength=200),
                  "cursor": lambda p: _s("string", pattern="^([0-9]{1,17}-)?[0-9]{1,10}$"), "enum": lambda p: _s("string", enum=list(p.choices))}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _operation(endpoint, paging) -> dict:
    params = [*(paging if endpoint.listing else ()), *endpoint.params]
    parameters = [{"name": name, "in": "path", "required": True, "schema": _s("integer", minimum=1, maximum=2**31 - 1)}
                  for name in endpoint.path_params]
    parameters += [{"name": p.name, "in": "query", "required": False, "description": p.description,
                    "schema": _PARAM_SCHEMAS[p.kind](p)} for p in params]
    item = _ref(endpoint.schema)
    body = _object({"items": _s("array", items=item), "next_cursor": _s("string", nullable=True)}) \
        if endpoint.listing else item
    ok = "201" if endpoint.method == "POST" and not endpoint.path_params else "200"
    responses = {ok: {"description": "OK", "content": {"application/json": {"schema": body}}},
                 "400": _error("A parameter or the body is not right; the message says which."),
                 "401": _error("No token, or one that is not valid (revoked, mistyped, its member deactivated)."),
                 "403": _error("The token's member may not see this, or the token may only read."),
                 "429": _error("Too many requests; wait the seconds Retry-After says."),
                 "503": _error("The server cannot count calls right now (its Redis does not answer); try again "
                               "after Retry-After.")}
    responses["404"] = _error("No such account, job or other record.")
    if endpoint.write:
        responses["409"] = _error("The record changed meanwhile (the job was moved, or archived).")
    operation = {"operationId": (endpoint.method.lower() + endpoint.path.replace("/", "_").replace("{", "")
                                 .replace("}", "")), "summary": endpoint.summary, "parameters": parameters,
                 "responses": responses, "security": [{"token": []}]}
    if endpoint.body:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _ref(endpoint.body)}}}
    return operation


def document(endpoints, paging) -> dict:
    paths: dict[str, dict] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, paging)
    return {
        "openapi": "3.0.3",
        "info": {"title": "practice API", "version": "1",
                 "description": "Read the firm's accounts, contacts, jobs, tasks, documents and events, create tasks "
                                "and move jobs, as the team member whose personal access token is sent "
                                "(Settings, API tokens). See docs/api.md."},
        "servers": [{"url": routes.API}],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "A personal access token (prt_...)."}}},
    }
