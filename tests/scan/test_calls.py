"""Google API calls in each language, with their positions, and what must not count as a call."""

from __future__ import annotations

import pytest

from auditor.scan.lexer import CSHARP, GO, JAVA, JAVASCRIPT, KOTLIN, PYTHON, lex
from auditor.scan.calls import CallFinder
from auditor.scan.methods import load_method_table
from tests.helpers import lines_run, scanned_tree


@pytest.fixture(scope="module")
def finder() -> CallFinder:
    return CallFinder(load_method_table())


def _calls(finder: CallFinder, text: str, syntax, apps_script: bool = False):
    calls, unresolved = finder.find("f", lex(text, syntax), syntax.name, apps_script)
    return sorted((call.line, call.method) for call in calls), sorted((item.line, item.written) for item in unresolved)


PYTHON_APP = '''\
from googleapiclient.discovery import build


class Mailbox:
    def __init__(self, creds):
        self.service = build("gmail", "v1", credentials=creds)

    def labels(self):
        return self.service.users().labels().list(userId="me").execute()

    def message(self, message_id):
        msgs = self.service.users().messages()
        return msgs.get(userId="me", id=message_id, format="metadata").execute()


drive = build(serviceName="drive", version="v3", credentials=None)
files = drive.files().list(pageSize=10, fields="files(id, name)").execute()
# drive.files().delete(fileId="x").execute()
note = "drive.files().create(body={}).execute()"
page = drive.files().list_next(None, files)
drive.files().frobnicate(fileId="x")
'''


def test_python_client_calls_and_intermediate_resources(finder: CallFinder):
    calls, unresolved = _calls(finder, PYTHON_APP, PYTHON)
    assert calls == [(9, "gmail.users.labels.list"), (13, "gmail.users.messages.get"), (17, "drive.files.list")]
    assert unresolved == [(21, "drive.files().frobnicate()")]


def test_python_call_keeps_its_stated_arguments(finder: CallFinder):
    calls, _ = finder.find("f", lex(PYTHON_APP, PYTHON), "python", False)
    message = next(call for call in calls if call.method == "gmail.users.messages.get")
    assert message.stated["format"] == "metadata"
    assert message.stated["id"] is None  # a name, not a literal


def _stated(finder: CallFinder, text: str, syntax, apps_script: bool = False) -> list[dict]:
    calls, _ = finder.find("f", lex(text, syntax), syntax.name, apps_script)
    return [call.stated for call in calls]


def test_python_keyword_of_a_call_nested_in_the_arguments_is_not_the_outer_calls(finder: CallFinder):
    # Read as the outer call's, format="metadata" would make gmail.metadata look enough for a
    # call that fetches whole messages.
    text = ('service = build("gmail", "v1")\n'
            'service.users().messages().get(userId="me", id=pick(ids, format="metadata")).execute()\n')
    assert _stated(finder, text, PYTHON) == [{"id": None, "userId": "me"}]


def test_python_keyword_written_inside_a_string_argument_is_not_stated(finder: CallFinder):
    text = ('service = build("gmail", "v1")\n'
            'service.users().messages().list("q=is:unread", userId="me").execute()\n')
    assert _stated(finder, text, PYTHON) == [{"userId": "me"}]


NODE_APP = '''\
const {google} = require('googleapis');

async function main(auth) {
  const gmail = google.gmail({version: 'v1', auth});
  const calendar = google.calendar('v3');
  const res = await gmail.users.messages.list({userId: 'me', q: 'is:unread'});
  await calendar.events.insert({calendarId: 'primary', requestBody: event});
  // await gmail.users.messages.send({userId: 'me'});
  const text = `gmail.users.drafts.create({userId: 'me'})`;
  const handler = gmail.users.messages.list;
}
'''


def test_node_client_calls(finder: CallFinder):
    calls, unresolved = _calls(finder, NODE_APP, JAVASCRIPT)
    assert calls == [(6, "gmail.users.messages.list"), (7, "calendar.events.insert")]
    assert unresolved == []


TYPED_NODE_APP = '''\
import { gmail_v1, google } from 'googleapis';

const gmail: gmail_v1.Gmail = google.gmail({ version: 'v1', auth });
let drive: Array<string> | undefined;
export const list = () => gmail.users.messages.list({ userId: 'me' });
'''

TYPED_PYTHON_APP = '''\
from googleapiclient.discovery import Resource, build

service: Resource = build("gmail", "v1", credentials=creds)
drafts: Optional[Resource] = service.users().drafts()
labels = service.users().labels().list(userId="me").execute()
listed = drafts.list(userId="me").execute()
'''


# A client given a name in the ways a language has: with a type annotation (the type's last
# word is no name), by a `with` statement, after a block's colon (its opening word is no name).
BOUND_NAMES = [
    (TYPED_NODE_APP, JAVASCRIPT, [(5, "gmail.users.messages.list")]),
    (TYPED_PYTHON_APP, PYTHON, [(5, "gmail.users.labels.list"), (6, "gmail.users.drafts.list")]),
    ('with build("drive", "v3", credentials=creds) as service, open(path) as handle:\n'
     '    service.files().list(pageSize=10).execute()\n', PYTHON, [(2, "drive.files.list")]),
    ('if offline: pass\nelse: service = build("gmail", "v1")\nservice.users().labels().list(userId="me").execute()\n',
     PYTHON, [(3, "gmail.users.labels.list")]),
    ('try: import x\nexcept: service = build("gmail", "v1")\nservice.users().labels().list(userId="me").execute()\n',
     PYTHON, [(3, "gmail.users.labels.list")]),
]


@pytest.mark.parametrize("text, syntax, expected", BOUND_NAMES,
                         ids=["typescript-annotation", "python-annotation", "with-statement", "after-else", "after-except"])
def test_a_client_is_bound_to_the_name_it_is_given(finder: CallFinder, text, syntax, expected):
    calls, _ = _calls(finder, text, syntax)
    assert calls == expected


PACKAGE_CLIENTS = '''\
const {drive, auth} = require('@googleapis/drive');
const {gmail: gmailApi} = require('@googleapis/gmail');
import {calendar as cal} from '@googleapis/calendar';
import * as sheetsModule from '@googleapis/sheets';
const docsModule = require('@googleapis/docs');

const files = drive({version: 'v3', auth: client});
files.files.list({pageSize: 10});
gmailApi('v1').users.labels.list({userId: 'me'});
cal({version: 'v3'}).events.list({calendarId: 'primary'});
sheetsModule.sheets({version: 'v4'}).spreadsheets.get({spreadsheetId: id});
docsModule.docs({version: 'v1'}).documents.get({documentId: id});
'''


def test_node_clients_of_per_api_packages_imported_or_required(finder: CallFinder):
    calls, unresolved = _calls(finder, PACKAGE_CLIENTS, JAVASCRIPT)
    assert calls == [(8, "drive.files.list"), (9, "gmail.users.labels.list"), (10, "calendar.events.list"),
                     (11, "sheets.spreadsheets.get"), (12, "docs.documents.get")]
    assert unresolved == []


@pytest.mark.parametrize("text, syntax", [
    ("const events = google.calendar({version: 'v3'}).events;\nevents.list({calendarId: 'primary'});\n", JAVASCRIPT),
    ("events = build('calendar', 'v3').events()\nevents.list(calendarId='primary').execute()\n", PYTHON),
], ids=["node", "python"])
def test_a_resource_taken_from_a_new_client_is_bound_to_its_name(finder: CallFinder, text, syntax):
    calls, unresolved = _calls(finder, text, syntax)
    assert (calls, unresolved) == ([(2, "calendar.events.list")], [])


def test_a_function_named_like_an_api_is_no_client_without_its_package(finder: CallFinder):
    text = ("const {auth} = require('@googleapis/drive');\nconst tools = require('./tools');\n"
            "drive({version: 'v3'}).files.list({});\ntools.drive({version: 'v3'}).files.list({});\n")
    calls, _ = _calls(finder, text, JAVASCRIPT)
    assert calls == []


TYPESCRIPT_CLIENT_TYPES = '''\
import { drive_v3, gmail_v1, admin_directory_v1 } from 'googleapis';

export async function listFiles(drive: drive_v3.Drive, users?: admin_directory_v1.Admin) {
  await drive.files.list({ pageSize: 10 });
  await users.users.list({ customer: 'my_customer' });
}

export class Mail {
  constructor(private readonly gmail: gmail_v1.Gmail) {}
  labels() {
    return this.gmail.users.labels.list({ userId: 'me' });
  }
}
'''


def test_a_name_declared_with_a_typescript_client_type_is_bound(finder: CallFinder):
    calls, unresolved = _calls(finder, TYPESCRIPT_CLIENT_TYPES, JAVASCRIPT)
    assert (calls, unresolved) == ([(4, "drive.files.list"), (5, "directory.users.list"),
                                    (11, "gmail.users.labels.list")], [])


def test_node_keys_of_the_parameter_object_are_stated_and_keys_nested_deeper_are_not(finder: CallFinder):
    text = ("const gmail = google.gmail({version: 'v1', auth});\n"
            "gmail.users.messages.get({userId: 'me', id: pick({format: 'metadata'}), requestBody: {q: 'x'}});\n")
    assert _stated(finder, text, JAVASCRIPT) == [{"id": None, "requestBody": None, "userId": "me"}]


JAVA_APP = '''\
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;

public class Sender {
    private final Gmail gmail;

    Sender(NetHttpTransport transport, Credential credential) {
        gmail = new Gmail.Builder(transport, GsonFactory.getDefaultInstance(), credential).build();
    }

    Message send(Message message) throws IOException {
        /* gmail.users().messages().delete("me", "x").execute(); */
        return gmail.users().messages().send("me", message).execute();
    }

    Message read(String id) throws IOException {
        return gmail.users().messages().get("me", id).setFormat("raw").execute();
    }
}
'''


def test_java_client_calls_and_setters(finder: CallFinder):
    calls, found = finder.find("f", lex(JAVA_APP, JAVA), "java", False)
    assert [(call.line, call.method) for call in calls] == [(13, "gmail.users.messages.send"),
                                                            (17, "gmail.users.messages.get")]
    assert calls[1].stated["format"] == "raw"
    assert found == []


KOTLIN_APP = '''\
import com.google.api.services.gmail.Gmail
import com.google.api.services.drive.Drive

val drive = Drive.Builder(transport, GsonFactory.getDefaultInstance(), credential).build()

class Mailbox(private val gmail: Gmail, private val threads: Gmail.Users.Threads) {
    fun labels() = gmail.users().labels().list("me").execute()
    fun unread(query: String) = gmail.users().messages().list("me").setQ(query).execute()
    fun recent() = gmail.users().messages().list("me").apply { q = "newer_than:1d" }.execute()
}

fun files() = drive.files().list().setPageSize(10).execute()
'''


def test_kotlin_clients_from_a_builder_and_a_typed_property(finder: CallFinder):
    calls, unresolved = _calls(finder, KOTLIN_APP, KOTLIN)
    assert calls == [(7, "gmail.users.labels.list"), (8, "gmail.users.messages.list"), (9, "gmail.users.messages.list"),
                     (12, "drive.files.list")]
    assert unresolved == []


def test_kotlin_setters_are_stated_and_an_apply_block_is_out_of_sight(finder: CallFinder):
    calls, _ = finder.find("f", lex(KOTLIN_APP, KOTLIN), "kotlin", False)
    lists = sorted((call.line, call.stated, bool(call.unseen))
                   for call in calls if call.method.endswith("messages.list"))
    assert lists == [(8, {"q": None}, False), (9, {}, True)]


GO_APP = '''\
package main

import (
	"context"

	"google.golang.org/api/gmail/v1"
	admin "google.golang.org/api/admin/directory/v1"
)

func run(ctx context.Context) error {
	srv, err := gmail.NewService(ctx)
	if err != nil {
		return err
	}
	r, err := srv.Users.Labels.List("me").Do()
	// srv.Users.Messages.Send("me", m).Do()
	return nil
}

func users(dir *admin.Service) {
	dir.Users.List().Customer("my_customer").Do()
}
'''


def test_go_client_calls(finder: CallFinder):
    calls, unresolved = _calls(finder, GO_APP, GO)
    assert calls == [(15, "gmail.users.labels.list"), (21, "directory.users.list")]
    assert unresolved == []


GO_ONE_LINE_IMPORTS = '''\
package main

import "google.golang.org/api/gmail/v1"
import dir "google.golang.org/api/admin/directory/v1"

func run(srv *gmail.Service, users *dir.Service) {
	srv.Users.Labels.List("me").Do()
	users.Users.List().Customer("my_customer").Do()
}
'''


def test_go_client_calls_of_packages_imported_one_per_line(finder: CallFinder):
    calls, _ = _calls(finder, GO_ONE_LINE_IMPORTS, GO)
    assert calls == [(7, "gmail.users.labels.list"), (8, "directory.users.list")]


GO_STRUCT_FIELD = '''\
package main

import "google.golang.org/api/gmail/v1"

type Mailer struct {
	svc *gmail.Service
}

func (m *Mailer) Labels() error {
	_, err := m.svc.Users.Labels.List("me").Do()
	return err
}
'''


def test_go_client_kept_in_a_struct_field_is_followed_through_the_receiver(finder: CallFinder):
    calls, _ = _calls(finder, GO_STRUCT_FIELD, GO)
    assert calls == [(10, "gmail.users.labels.list")]


APPS_SCRIPT = '''\
/**
 * @OnlyCurrentDoc
 */
function onOpen() {
  DocumentApp.getUi().createMenu('Tools').addItem('Labels', 'showLabels').addToUi();
}

function showLabels() {
  const labels = Gmail.Users.Labels.list('me');
  const html = HtmlService.createHtmlOutput('<p>' + labels.labels.length + '</p>');
  DocumentApp.getUi().showSidebar(html);
  // GmailApp.getInboxThreads();
  UrlFetchApp.fetch('https://gmail.googleapis.com/gmail/v1/users/me/labels');
}
'''


def test_apps_script_built_in_and_advanced_services(finder: CallFinder):
    calls, unresolved = _calls(finder, APPS_SCRIPT, JAVASCRIPT, apps_script=True)
    assert calls == [(5, "DocumentApp.getUi"), (9, "gmail.users.labels.list"), (11, "DocumentApp.getUi"),
                     (11, "Ui.showSidebar"), (13, "UrlFetchApp.fetch"), (13, "gmail.users.labels.list")]
    assert unresolved == []


def test_apps_script_groups_service_needs_the_groups_scope(finder: CallFinder):
    # GroupsApp was not a known service: its calls were not read, and the groups scope it
    # needs read as authorizing nothing.
    text = "function mine() {\n  return GroupsApp.getGroups().map((group) => group.getEmail());\n}\n"
    calls, _ = finder.find("f", lex(text, JAVASCRIPT), "javascript", True)
    assert [(call.line, call.method, call.scopes) for call in calls] == [
        (2, "GroupsApp.getGroups", ("https://www.googleapis.com/auth/groups",))]


def test_apps_script_services_are_not_calls_outside_a_script_project(finder: CallFinder):
    calls, _ = _calls(finder, "const x = Gmail.Users.Labels.list('me'); DocumentApp.getUi();\n", JAVASCRIPT)
    assert calls == []


def test_apps_script_optional_arguments_object_is_stated(finder: CallFinder):
    text = "function f(id) {\n  return Gmail.Users.Messages.get('me', id, {format: 'metadata'});\n}\n"
    assert _stated(finder, text, JAVASCRIPT, apps_script=True) == [{"format": "metadata"}]


def _unseen(finder: CallFinder, text: str, syntax, apps_script: bool = False) -> list[bool]:
    """For each call of ``text`` in text order, whether it may pass parameters the code does not show."""
    calls, _ = finder.find("f", lex(text, syntax), syntax.name, apps_script)
    return [bool(call.unseen) for call in sorted(calls, key=lambda call: (call.line, call.column))]


NODE_CLIENT = "const gmail = google.gmail({version: 'v1', auth});\n"


def test_node_quoted_keys_are_stated(finder: CallFinder):
    text = NODE_CLIENT + "gmail.users.messages.get({'userId': 'me', \"format\": 'metadata', 'id': id});\n"
    assert _stated(finder, text, JAVASCRIPT) == [{"format": "metadata", "id": None, "userId": "me"}]


def test_a_quoted_branch_of_a_conditional_is_no_key(finder: CallFinder):
    # `c ? 'q' : 'x'` puts a quoted text before a colon, but no entry begins there.
    text = NODE_CLIENT + "gmail.users.messages.get({userId: 'me', format: c ? 'q' : 'full'});\n"
    assert _stated(finder, text, JAVASCRIPT) == [{"format": None, "userId": "me"}]


def test_node_shorthand_property_is_stated(finder: CallFinder):
    text = NODE_CLIENT + "gmail.users.messages.list({userId: 'me', q});\n"
    assert _stated(finder, text, JAVASCRIPT) == [{"q": None, "userId": "me"}]


@pytest.mark.parametrize("arguments", ["params", "{userId: 'me', ...options}", "{userId: 'me', [key]: value}",
                                       "Object.assign({}, defaults)"])
def test_node_parameters_out_of_sight(finder: CallFinder, arguments: str):
    text = NODE_CLIENT + f"gmail.users.messages.list({arguments});\n"
    assert _unseen(finder, text, JAVASCRIPT) == [True]


@pytest.mark.parametrize("arguments", ["", "{userId: 'me', maxResults: 10}", "{userId: 'me', maxResults: 2 ** 8}",
                                       "{userId: 'me'}, (error, response) => done(response)",
                                       "{userId: 'me'}, function (error, response) {}"])
def test_node_parameters_all_in_sight(finder: CallFinder, arguments: str):
    text = NODE_CLIENT + f"gmail.users.messages.list({arguments});\n"
    assert _unseen(finder, text, JAVASCRIPT) == [False]


PY_CLIENT = 'service = build("gmail", "v1")\n'


@pytest.mark.parametrize("arguments", ['userId="me", **options', 'userId="me", **{"q": q, **more}',
                                       'userId="me", **{name: value}'])
def test_python_parameters_out_of_sight(finder: CallFinder, arguments: str):
    text = PY_CLIENT + f"service.users().messages().list({arguments}).execute()\n"
    assert _unseen(finder, text, PYTHON) == [True]


def test_python_power_is_no_unpacking_and_an_unpacked_dict_literal_is_stated(finder: CallFinder):
    text = PY_CLIENT + 'service.users().messages().list(userId="me", maxResults=2**8, **{"q": "x"}).execute()\n'
    calls, _ = finder.find("f", lex(text, PYTHON), "python", False)
    assert [(call.stated, call.unseen) for call in calls] == [({"maxResults": None, "q": "x", "userId": "me"}, "")]


def test_python_dict_in_a_keyword_argument_states_nothing_for_the_call(finder: CallFinder):
    # A mapping passed as `body=` is the request body, not parameters of the call.
    text = PY_CLIENT + 'service.users().messages().insert(userId="me", body={"q": "x"}).execute()\n'
    assert _stated(finder, text, PYTHON) == [{"body": None, "userId": "me"}]


@pytest.mark.parametrize(("arguments", "unseen"), [("'me', options", True), ("'me', {'q': query}", False),
                                                   ("userId", False), ("userId, {q: query}", False)])
def test_apps_script_options_out_of_sight_after_the_path_parameters(finder: CallFinder, arguments: str, unseen: bool):
    text = f"function f(userId, options, query) {{\n  return Gmail.Users.Messages.list({arguments});\n}}\n"
    assert _unseen(finder, text, JAVASCRIPT, apps_script=True) == [unseen]


def test_apps_script_quoted_option_is_stated(finder: CallFinder):
    text = "function f() {\n  return Gmail.Users.Messages.list('me', {'q': 'is:unread'});\n}\n"
    assert _stated(finder, text, JAVASCRIPT, apps_script=True) == [{"q": "is:unread"}]


JAVA_KEPT = ('Gmail.Users.Messages.Get request = gmail.users().messages().get("me", id);\n'
             '        request.setFormat("raw");\n{between}        return request.execute();')


def test_java_request_kept_in_a_name_gets_the_setters_after_it(finder: CallFinder):
    # Before, a request kept in a name could get any parameter: a scope that allows only
    # some of them was never offered for it.
    text = JAVA_APP.replace('return gmail.users().messages().get("me", id).setFormat("raw").execute();',
                            JAVA_KEPT.format(between=""))
    assert (_stated(finder, text, JAVA)[1], _unseen(finder, text, JAVA)) == ({"format": "raw"}, [False, False])


def test_java_request_kept_in_a_name_and_given_on_is_out_of_sight(finder: CallFinder):
    text = JAVA_APP.replace('return gmail.users().messages().get("me", id).setFormat("raw").execute();',
                            JAVA_KEPT.format(between="        configure(request);\n"))
    assert _unseen(finder, text, JAVA) == [False, True]


@pytest.mark.parametrize(("kept", "stated", "unseen"), [
    ('call := srv.Users.Messages.List("me")\n\tcall = call.Q("is:unread")\n\tcall.Do()', {"q": "is:unread"}, False),
    ('call := srv.Users.Messages.List("me")\n\tconfigure(call)\n\tcall.Do()', {}, True),
    ('call := srv.Users.Messages.List("me")\n\tcall.Do(googleapi.QueryParameter("q", q))', {}, True),
], ids=["setters", "given-on", "call-options"])
def test_go_call_kept_in_a_name_gets_the_options_after_it(finder: CallFinder, kept, stated, unseen):
    text = GO_APP.replace('r, err := srv.Users.Labels.List("me").Do()', kept)
    assert (_stated(finder, text, GO)[0], _unseen(finder, text, GO)) == (stated, [unseen, False])


def test_go_call_options_given_to_do_are_out_of_sight(finder: CallFinder):
    text = GO_APP.replace('r, err := srv.Users.Labels.List("me").Do()',
                          'r, err := srv.Users.Messages.List("me").Do(googleapi.QueryParameter("q", q))')
    assert _unseen(finder, text, GO) == [True, False]


def test_rest_call_parameters_are_out_of_sight(finder: CallFinder):
    text = 'requests.get("https://gmail.googleapis.com/gmail/v1/users/me/messages", params={"q": q})\n'
    assert _unseen(finder, text, PYTHON) == [True]


REST = '''\
import requests

BASE = "https://gmail.googleapis.com/gmail/v1/users/me"
requests.post("https://gmail.googleapis.com/gmail/v1/users/me/messages/send", json=body)
requests.get(f"https://www.googleapis.com/calendar/v3/calendars/{calendar_id}/events", headers=h)
requests.get("https://gmail.googleapis.com/gmail/v1/users/me/messages/" + message_id)
requests.get("https://gmail.googleapis.com/gmail/v1/users/me/nonsense")
# requests.delete("https://www.googleapis.com/drive/v3/files/abc")
requests.get("https://storage.googleapis.com/bucket/object")
'''


def test_raw_http_calls_match_path_templates(finder: CallFinder):
    calls, unresolved = _calls(finder, REST, PYTHON)
    assert calls == [(4, "gmail.users.messages.send"), (5, "calendar.events.list"), (6, "gmail.users.messages.get")]
    assert unresolved == [(7, "https://gmail.googleapis.com/gmail/v1/users/me/nonsense")]


def test_fetch_with_a_method_option(finder: CallFinder):
    text = ("await fetch('https://gmail.googleapis.com/gmail/v1/users/me/messages/send', "
            "{method: 'POST', headers});\n")
    calls, _ = _calls(finder, text, JAVASCRIPT)
    assert calls == [(1, "gmail.users.messages.send")]


@pytest.mark.parametrize("text", [
    # Clients made inside one another's arguments, all closed at the end of the file.
    lambda count: 'build("gmail", "v1", x=' * count + ")" * count + "\n",
    # Calls made inside one another's arguments, each stating one.
    lambda count: 'service = build("gmail", "v1")\n' + "service.users().messages().list(q=1, " * count + ")" * count + "\n",
], ids=["clients", "calls"])
def test_nested_calls_are_read_in_linear_work(finder: CallFinder, text):
    # Each call's closing bracket is looked up in one table of the file's brackets, and its
    # arguments in one index of the file's `name=value` pairs: counting brackets from each
    # call, or reading each call's span, went through all the calls inside it.
    from tests.helpers import lines_run

    _calls(finder, text(100), PYTHON)  # first use, not counted
    small, large = (lines_run(lambda count=count: _calls(finder, text(count), PYTHON)) for count in (300, 600))
    assert large <= 2.2 * small


@pytest.mark.parametrize("text", [
    # Node calls made inside one another's parameter objects, each with a shorthand key, a
    # spread and a quoted key, all closed at the end of the file.
    lambda count: NODE_CLIENT + "gmail.users.messages.list({q, ...o, 'a': 1, b: " * count + "})" * count + "\n",
    # The same, never closed.
    lambda count: NODE_CLIENT + "gmail.users.messages.list({q, ...o, 'a': 1, b: " * count + "\n",
], ids=["closed", "never-closed"])
def test_nested_node_parameter_objects_are_read_in_linear_work(finder: CallFinder, text):
    # Each call reads the entries directly in its own object: reading its whole span would
    # go through every call inside it.
    from tests.helpers import lines_run

    _calls(finder, text(100), JAVASCRIPT)  # first use, not counted
    small, large = (lines_run(lambda count=count: _calls(finder, text(count), JAVASCRIPT)) for count in (300, 600))
    assert large <= 2.2 * small


def test_calls_whose_brackets_never_close_read_a_bounded_part_of_the_rest(finder: CallFinder):
    # Each call's stated arguments are read in at most the argument limit, not in the rest
    # of the file, which holds every later call.
    from auditor.scan.call_syntax import ARGUMENTS_LIMIT
    from tests.helpers import lines_run

    call = "service.users().messages().list(q=1, " + "x" * 100 + " "

    def text(count: int) -> str:
        return 'service = build("gmail", "v1")\n' + call * count + "\n"

    assert len(call) * 300 > 1.5 * ARGUMENTS_LIMIT  # both sizes go past the limit
    _calls(finder, text(100), PYTHON)  # first use, not counted
    small, large = (lines_run(lambda count=count: _calls(finder, text(count), PYTHON)) for count in (300, 600))
    assert large <= 2.2 * small


def _pattern_scans(action) -> int:
    """How many times ``action`` runs a pattern over a whole text (``finditer``,
    ``findall``): each is a pass over the file, a cost that the number of lines run does not
    show, as it is spent inside the regular expression engine."""
    import sys

    scans = 0

    def count(frame, event, arg):
        nonlocal scans
        if event == "c_call" and getattr(arg, "__name__", "") in ("finditer", "findall"):
            scans += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(previous)
    return scans


@pytest.mark.parametrize("syntax, client, call", [
    (PYTHON, "s{0} = build('gmail', 'v1')\n", "s{0}.users().labels().list(userId='me').execute()\n"),
    (JAVASCRIPT, "const s{0} = google.gmail({{version: 'v1'}});\n", "s{0}.users.labels.list({{userId: 'me'}});\n"),
    (GO, "", "m.s{0}.Users.Labels.List(\"me\").Do()\n"),
    (PYTHON, "s{0}, t{0} = build('gmail', 'v1'), build('tasks', 'v1')\n",
     "s{0}.users().labels().list(userId='me').execute()\n"),
], ids=["python", "node", "go", "python-unpacked"])
def test_many_bound_names_are_followed_in_one_pass_over_the_file(finder: CallFinder, syntax, client, call):
    # A pattern per bound name, each run over the whole file, made the work grow with the
    # names times the file's length: 2,000 clients took 12 s instead of 0.2 s.
    from tests.helpers import lines_run

    def text(count: int) -> str:
        head = 'import "google.golang.org/api/gmail/v1"\ntype M struct {\n' if syntax is GO else ""
        head += "".join(f"  s{index} *gmail.Service\n" for index in range(count)) + "}\n" if syntax is GO else ""
        return (head + "".join(client.format(index) for index in range(count))
                + "".join(call.format(index) for index in range(count)))

    assert len(_calls(finder, text(300), syntax)[0]) == 300
    scans = [_pattern_scans(lambda count=count: _calls(finder, text(count), syntax)) for count in (300, 600)]
    assert scans[1] == scans[0]
    small, large = (lines_run(lambda count=count: _calls(finder, text(count), syntax)) for count in (300, 600))
    assert large <= 2.2 * small


ONE_NAME_SEVERAL_CLIENTS = [
    # One name, a client of another API in each function.
    ('''\
def files(creds):
    service = build("drive", "v3", credentials=creds)
    return service.files().list().execute()

def labels(creds):
    service = build("gmail", "v1", credentials=creds)
    return service.users().labels().list(userId="me").execute()
''', PYTHON, [(3, "drive.files.list"), (7, "gmail.users.labels.list")]),
    # A module's client, a function's own of the same name, and functions written above
    # the module's binding that use it.
    ('''\
def early():
    return service.users().labels().list(userId="me").execute()

service = build("gmail", "v1")

def files():
    service = build("drive", "v3")
    return service.files().list().execute()

def drafts():
    return service.users().drafts().list(userId="me").execute()
''', PYTHON, [(2, "gmail.users.labels.list"), (8, "drive.files.list"), (11, "gmail.users.drafts.list")]),
    ('''\
async function files(auth) {
  const client = google.drive({version: 'v3', auth});
  return client.files.list({});
}
const labels = async (auth) => {
  const client = google.gmail({version: 'v1', auth});
  return client.users.labels.list({userId: 'me'});
};
''', JAVASCRIPT, [(3, "drive.files.list"), (7, "gmail.users.labels.list")]),
    ('''\
import com.google.api.services.drive.Drive;
import com.google.api.services.gmail.Gmail;
class Both {
  void files(Drive service) throws IOException { service.files().list().execute(); }
  void labels(Gmail service) throws IOException { service.users().labels().list("me").execute(); }
}
''', JAVA, [(4, "drive.files.list"), (5, "gmail.users.labels.list")]),
]


@pytest.mark.parametrize("text, syntax, expected", ONE_NAME_SEVERAL_CLIENTS,
                         ids=["python-functions", "python-module-and-function", "node-functions", "java-parameters"])
def test_a_name_given_clients_of_several_apis_reads_the_one_made_for_it(finder: CallFinder, text, syntax, expected):
    # The last binding of a name used to stand for every use of it in the file: the other
    # API's calls were missed, and its scope reported as never seen.
    calls, unresolved = _calls(finder, text, syntax)
    assert (calls, unresolved) == (expected, [])


MEDIA_DOWNLOADS = [
    # The Python client's twin of a method that can return the content itself (`get_media`)
    # is that method, asking for the content; a twin of a method that cannot stays unmatched.
    ('''\
from googleapiclient.discovery import build
drive = build("drive", "v3")
drive.files().get_media(fileId="x")
drive.files().export_media(fileId="x", mimeType="text/plain")
drive.revisions().get_media(fileId="x", revisionId="r")
drive.files().get(fileId="x").execute()
drive.files().list_media()
build("chat", "v1").media().download_media(resourceName="r")
''', PYTHON, [(3, "drive.files.get", "media"), (4, "drive.files.export", "media"), (5, "drive.revisions.get", "media"),
              (6, "drive.files.get", None), (8, "chat.media.download", "media")], [(7, "drive.files().list_media()")]),
    # Java's and Go's download calls after the method ask for the content too.
    ('''\
import com.google.api.services.drive.Drive;
class A {
  void run(Drive drive) throws Exception {
    drive.files().get("x").executeMediaAndDownloadTo(out);
    drive.files().get("x").executeMediaAsInputStream();
    drive.files().get("x").execute();
  }
}
''', JAVA, [(4, "drive.files.get", "media"), (5, "drive.files.get", "media"), (6, "drive.files.get", None)], []),
    ('''\
package main
import "google.golang.org/api/drive/v3"
func run() {
	srv, _ := drive.NewService(ctx)
	srv.Files.Get("x").Download()
	srv.Files.Get("x").Do()
}
''', GO, [(5, "drive.files.get", "media"), (6, "drive.files.get", None)], []),
]


@pytest.mark.parametrize("text, syntax, calls, unresolved", MEDIA_DOWNLOADS, ids=["python", "java", "go"])
def test_a_download_of_the_content_is_its_method_asking_for_it(finder: CallFinder, text, syntax, calls, unresolved):
    found, unmatched = finder.find("f", lex(text, syntax), syntax.name, False)
    assert sorted((call.line, call.method, call.stated.get("alt")) for call in found) == calls
    assert sorted((item.line, item.written) for item in unmatched) == unresolved
    # A download call sends the request: nothing out of sight.
    assert not any(call.unseen for call in found)


@pytest.mark.parametrize("text, syntax", [
    ('from httplib2 import Http\nHttp().request("https://chat.googleapis.com/v1/spaces/AAA/messages", "POST")\n', PYTHON),
    ('import requests\nrequests.Session().request("POST", "https://chat.googleapis.com/v1/spaces/AAA/messages")\n',
     PYTHON),
    ("await client.request({url: 'https://chat.googleapis.com/v1/spaces/AAA/messages', method: 'POST'});\n",
     JAVASCRIPT),
], ids=["httplib2-method-second", "requests-method-first", "options-object"])
def test_the_verb_given_to_a_request_call_by_position_or_option_is_read(finder: CallFinder, text, syntax):
    calls, unresolved = _calls(finder, text, syntax)
    assert (calls, unresolved) == ([(2 if syntax is PYTHON else 1, "chat.spaces.messages.create")], [])


def test_the_verb_of_an_options_object_given_by_name_or_with_a_quoted_key_is_read(finder: CallFinder):
    # An options object given by a name this file gives one (its method, else GET), or not
    # (no telling the verb: unresolved), and one whose key is quoted.
    text = '''\
function post() {
  const options = { method: "post", payload: "{}" };
  UrlFetchApp.fetch("https://chat.googleapis.com/v1/spaces/A/messages", options);
  UrlFetchApp.fetch("https://chat.googleapis.com/v1/spaces/A/messages", {"method": "post"});
  UrlFetchApp.fetch("https://chat.googleapis.com/v1/spaces/A/messages", other);
  const plain = {headers: h};
  UrlFetchApp.fetch("https://chat.googleapis.com/v1/spaces/A/messages", plain);
}
'''
    calls, unresolved = _calls(finder, text, JAVASCRIPT)
    assert calls == [(3, "chat.spaces.messages.create"), (4, "chat.spaces.messages.create"),
                     (7, "chat.spaces.messages.list")]
    assert unresolved == [(5, "https://chat.googleapis.com/v1/spaces/A/messages")]


RENAMED_METHODS = [
    # A method whose name the language reserves: Apps Script's advanced services call
    # `delete` `remove`; Java's client puts the API's name before `return` and `import`. A
    # resource whose name starts with the API's (`calendarList`) stays a resource.
    ('''\
function clean(id) {
  Drive.Files.remove(id);
  Gmail.Users.Messages.remove("me", id);
  Drive.Files.frobnicate(id);
}
''', JAVASCRIPT, True, [(2, "drive.files.delete"), (3, "gmail.users.messages.delete")],
     [(4, "Drive.Files.frobnicate()")]),
    ('''\
import com.google.api.services.classroom.Classroom;
import com.google.api.services.calendar.Calendar;
class A {
  void run(Classroom classroom, Calendar cal) throws Exception {
    classroom.courses().courseWork().studentSubmissions().classroomReturn("c", "w", "s", null).execute();
    cal.events().calendarImport("primary", event).execute();
    cal.calendarList().list().execute();
  }
}
''', JAVA, False, [(5, "classroom.courses.courseWork.studentSubmissions.return"), (6, "calendar.events.import"),
                   (7, "calendar.calendarList.list")], []),
]


@pytest.mark.parametrize("text, syntax, apps_script, calls, unresolved", RENAMED_METHODS, ids=["apps-script", "java"])
def test_a_method_renamed_for_a_reserved_word_is_its_api_method(finder: CallFinder, text, syntax, apps_script, calls,
                                                                 unresolved):
    found = _calls(finder, text, syntax, apps_script)
    assert found == (calls, unresolved)


IMPORTED_UNDER_ANOTHER_NAME = [
    # The client library's `build` and the `google` object imported under another name, read
    # on the module or on the package itself; a name computed for the API stays unresolved,
    # shown by the name the code calls.
    ('''\
from googleapiclient.discovery import build as gbuild
from googleapiclient.discovery import (build as make, Resource)
svc = gbuild("tasks", "v1", credentials=None)
svc.tasks().insert(tasklist="@default", body={}).execute()
other = make(API, "v1")
''', PYTHON, [(4, "tasks.tasks.insert")], [(5, 'make(API, "v1", ...)')]),
    ('''\
import {google as g} from 'googleapis';
import * as gapis from 'googleapis';
const {google: gg} = require('googleapis');
g.drive({version: 'v3', auth}).files.list();
const drive = gapis.google.drive({version: 'v3', auth});
drive.files.get({fileId: 'x'});
const cal = gg.calendar('v3');
cal.events.list({calendarId: 'primary'});
const tasks = require('googleapis').google.tasks('v1');
tasks.tasklists.list();
''', JAVASCRIPT, [(4, "drive.files.list"), (6, "drive.files.get"), (8, "calendar.events.list"),
                  (10, "tasks.tasklists.list")], []),
]


@pytest.mark.parametrize("text, syntax, calls, unresolved", IMPORTED_UNDER_ANOTHER_NAME, ids=["python", "javascript"])
def test_a_client_library_imported_under_another_name_makes_clients(finder: CallFinder, text, syntax, calls,
                                                                      unresolved):
    assert _calls(finder, text, syntax) == (calls, unresolved)


CLIENTS_PASSED = '''\
from googleapiclient.discovery import build

def copy_template(service):
    return service.files().copy(fileId="x").execute()

def main():
    drive = build("drive", "v3", credentials=None)
    copy_template(drive)

def a(creds):
    service = build("drive", "v2", credentials=creds)
    service.files().insert(body={}).execute()

def b(service):
    service.files().create(body={}).execute()

b(build("drive", "v3", credentials=None))

class Writer:
    def __init__(self, slides_service, pid):
        self._slides = slides_service
    def flush(self, reqs):
        self._slides.presentations().batchUpdate(presentationId="x", body={}).execute()

def run():
    slides = build("slides", "v1")
    Writer(slides, "p").flush([])
    relay(sheets=build("sheets", "v4"))
    either(build("gmail", "v1"))
    either(build("tasks", "v1"))

def relay(sheets):
    inner(sheets)

def inner(svc):
    svc.spreadsheets().get(spreadsheetId="x").execute()

def either(client):
    client.users().labels().list(userId="me").execute()
'''


def test_a_client_passed_to_a_function_is_bound_to_its_parameter(finder: CallFinder):
    # By position or keyword, inline or by name, to a class's constructor and kept on the
    # instance, passed on again; a parameter named like another function's client reads the
    # client passed to it (`b`'s `service` is Drive v3, not `a`'s v2). A parameter given
    # clients of two APIs is not followed.
    assert _calls(finder, CLIENTS_PASSED, PYTHON) == ([
        (4, "drive.files.copy"), (12, "drive.files.insert"), (15, "drive.files.create"),
        (23, "slides.presentations.batchUpdate"), (36, "sheets.spreadsheets.get")], [])


CLIENTS_PASSED_IN_SCRIPT = '''\
const {google} = require('googleapis');
async function uploadFile(driveClient, n) {
  return driveClient.files.create({requestBody: {name: n}});
}
const labels = async (gmail) => {
  return gmail.users.labels.list({userId: 'me'});
};
class Writer {
  constructor(slidesService) {
    this.slides = slidesService;
  }
  flush() {
    return this.slides.presentations.batchUpdate({presentationId: 'x'});
  }
}
function spread(client) {
  return client.users.drafts.list({userId: 'me'});
}
async function main(auth) {
  const drive = google.drive({version: 'v3', auth});
  await uploadFile(drive, 'a');
  await labels(google.gmail({version: 'v1', auth}));
  const slides = google.slides({version: 'v1', auth});
  new Writer(slides).flush();
  spread(...clients);
}
'''


def test_a_client_passed_to_a_script_function_is_bound_to_its_parameter(finder: CallFinder):
    # A declared function, an arrow function given to a name, a class's constructor (and the
    # instance's field it keeps); nothing for arguments a spread gives.
    assert _calls(finder, CLIENTS_PASSED_IN_SCRIPT, JAVASCRIPT) == ([
        (3, "drive.files.create"), (6, "gmail.users.labels.list"), (13, "slides.presentations.batchUpdate")], [])


@pytest.mark.parametrize("syntax, head, defined, used", [
    (PYTHON, "from googleapiclient.discovery import build\nservice = build('gmail', 'v1')\n",
     "def f{0}(svc{0}):\n    svc{0}.users().labels().list(userId='me')\n", "f{0}(service)\n"),
    (JAVASCRIPT, "const service = google.gmail({{version: 'v1'}});\n",
     "function f{0}(svc{0}) {{\n  svc{0}.users.labels.list({{userId: 'me'}});\n}}\n", "f{0}(service);\n"),
], ids=["python", "javascript"])
def test_clients_passed_to_many_functions_are_followed_in_linear_work(finder: CallFinder, syntax, head, defined,
                                                                       used):
    from tests.helpers import lines_run

    def text(count: int) -> str:
        return (head.format() + "".join(defined.format(index) for index in range(count))
                + "".join(used.format(index) for index in range(count)))

    assert len(_calls(finder, text(100), syntax)[0]) == 100
    small, large = (lines_run(lambda count=count: _calls(finder, text(count), syntax)) for count in (300, 600))
    assert large <= 2.2 * small


@pytest.mark.parametrize("text, syntax, calls", [
    ('from googleapiclient.discovery import build\nservice = build("gmail", "v1")\n'
     'result = service.users().threads() \\\n    .list(userId="me").execute()\n', PYTHON,
     [(4, "gmail.users.threads.list")]),
    ("import {google} from 'googleapis';\nlet cal = google.calendar({version: 'v3'});\n"
     "cal!.events.list({calendarId: 'primary'});\n"
     "class A { c = google.calendar({version: 'v3'}); run() { return this.c!.events.get({eventId: 'e'}); } }\n",
     JAVASCRIPT, [(3, "calendar.events.list"), (4, "calendar.events.get")]),
    ('import com.google.api.services.drive.Drive\nclass C(private val drive: Drive?) {\n'
     '    fun run() { drive!!.files().get("id").execute() }\n}\n', KOTLIN, [(3, "drive.files.get")]),
], ids=["python-line-continuation", "typescript-non-null", "kotlin-non-null"])
def test_a_chain_goes_on_past_a_line_continuation_or_a_non_null_assertion(finder: CallFinder, text, syntax, calls):
    assert _calls(finder, text, syntax) == (calls, [])


@pytest.mark.parametrize("text, syntax", [
    ('function f(id, file) {\n'
     '  UrlFetchApp.fetch("https://www.googleapis.com/drive/v3/files/" + id + "/export?mimeType=application/pdf");\n'
     '  UrlFetchApp.fetch("https://slides.googleapis.com/v1/presentations/" + id + "/pages/p1/thumbnail");\n'
     '  UrlFetchApp.fetch("https://www.googleapis.com/drive/v3/files/" + id + "/permissions", {method: "post"});\n'
     '  UrlFetchApp.fetch("https://www.googleapis.com/drive/v2/files/" + file.getId() + "/children");\n'
     '  UrlFetchApp.fetch("https://www.googleapis.com/drive/v3/files/" + id);\n}\n', JAVASCRIPT),
    ('import requests\ndef f(id, file):\n'
     '    requests.get("https://www.googleapis.com/drive/v3/files/" + id + "/export")\n'
     '    requests.get("https://slides.googleapis.com/v1/presentations/" + id + f"/pages/{page}/thumbnail")\n'
     '    requests.post("https://www.googleapis.com/drive/v3/files/" + id + "/permissions")\n'
     '    requests.get("https://www.googleapis.com/drive/v2/files/" + file.get_id() + "/children")\n'
     '    requests.get("https://www.googleapis.com/drive/v3/files/" + id)\n', PYTHON),
], ids=["javascript", "python"])
def test_a_url_joined_with_plus_is_read_whole(finder: CallFinder, text, syntax):
    # Before, everything after the first value was dropped: the export read as files.get.
    first = 2 if syntax is JAVASCRIPT else 3
    methods = ["drive.files.export", "slides.presentations.pages.getThumbnail", "drive.permissions.create",
               "drive.children.list", "drive.files.get"]
    assert _calls(finder, text, syntax) == ([(first + index, method) for index, method in enumerate(methods)], [])


APPS_SCRIPT_PROJECT = {
    # The project's manifest keeps Drive at v2 and names v3 `DriveAPI`; a bad entry is passed
    # over. A script of another project, without a manifest of its own, keeps the usual v3.
    "proj/appsscript.json": '{"timeZone": "UTC", "dependencies": {"enabledAdvancedServices": ['
                            '{"userSymbol": "Drive", "serviceId": "drive", "version": "v2"},'
                            '{"userSymbol": "DriveAPI", "serviceId": "drive", "version": "v3"},'
                            '{"userSymbol": 5, "serviceId": "drive"}]}}\n',
    "proj/Code.js": 'function f(id) {\n  Drive.Files.insert({title: "x"});\n  Drive.Children.list("root");\n'
                    '  DriveAPI.Files.list();\n  Gmail.Users.Labels.list("me");\n}\n',
    "other/Code.gs": 'function g() {\n  Drive.Files.create({name: "x"});\n}\n',
    "broken/appsscript.json": '{"dependencies": {"enabledAdvancedServices": [[[',
    "broken/Code.js": 'function h() {\n  Drive.Files.list();\n}\n',
}


def test_the_advanced_services_of_an_apps_script_project_are_those_its_manifest_enables(tmp_path):
    scan, calls = scanned_tree(tmp_path, APPS_SCRIPT_PROJECT)
    assert calls == [
        ("broken/Code.js", 2, "drive.files.list"), ("other/Code.gs", 2, "drive.files.create"),
        ("proj/Code.js", 2, "drive.files.insert"), ("proj/Code.js", 3, "drive.children.list"),
        ("proj/Code.js", 4, "drive.files.list"), ("proj/Code.js", 5, "gmail.users.labels.list")]
    assert scan.unresolved == ()


GO_PACKAGE = {
    # A struct's fields and a package's variable declared in one file of a Go package, read
    # in another (through a call's result too); a file of another package does not see them.
    "slides/test_utils.go": 'package snippets\n\nimport (\n\t"google.golang.org/api/drive/v3"\n'
                            '\t"google.golang.org/api/slides/v1"\n)\n\n'
                            'type Services struct {\n\tSlides *slides.Service\n\tDrive  *drive.Service\n}\n\n'
                            'var srv *drive.Service\n\nfunc getServices() *Services {\n\treturn &Services{}\n}\n',
    "slides/presentations.go": 'package snippets\n\nfunc create() {\n'
                               '\tgetServices().Slides.Presentations.Create(p).Do()\n'
                               '\ts := getServices()\n\ts.Drive.Files.List().Do()\n\tsrv.Files.Get("x").Do()\n}\n',
    "other/main.go": 'package main\n\nfunc run() {\n\tsrv.Files.Get("x").Do()\n}\n',
}


def test_a_go_packages_fields_are_read_in_its_other_files(tmp_path):
    scan, calls = scanned_tree(tmp_path, GO_PACKAGE)
    assert calls == [
        ("slides/presentations.go", 4, "slides.presentations.create"),
        ("slides/presentations.go", 6, "drive.files.list"), ("slides/presentations.go", 7, "drive.files.get")]


JAVA_INHERITED_FIELDS = {
    # A base class of another file declares the client field; its subclasses read it bare or
    # on `this`, down a line of classes; a class that extends nothing known reads nothing; a
    # class of the same name in another folder (package) is told apart.
    "src/BaseTest.java": 'import com.google.api.services.gmail.Gmail;\npublic class BaseTest {\n'
                         '  protected Gmail service;\n'
                         '  public void setUp() { service = new Gmail.Builder(t, j, c).build(); }\n}\n',
    "src/TestLabels.java": 'public class TestLabels extends BaseTest {\n  void run() throws Exception {\n'
                           '    this.service.users().labels().list("me").execute();\n'
                           '    service.users().drafts().list("me").execute();\n  }\n}\n',
    "src/TestDeeper.java": 'public class TestDeeper extends TestLabels {\n'
                           '  void more() throws Exception { service.users().threads().list("me").execute(); }\n}\n',
    "src/Other.java": 'public class Other extends Unknown {\n'
                      '  void f() throws Exception { service.users().threads().get("me", "x").execute(); }\n}\n',
    # Another package's class of the same name, with a client of another API.
    "drive/BaseTest.java": 'import com.google.api.services.drive.Drive;\npublic class BaseTest {\n'
                           '  protected Drive service;\n}\n',
    "drive/TestFiles.java": 'public class TestFiles extends BaseTest {\n'
                            '  void run() throws Exception { service.files().list().execute(); }\n}\n',
}


def test_a_java_class_reads_the_client_fields_of_the_class_it_extends(tmp_path):
    scan, calls = scanned_tree(tmp_path, JAVA_INHERITED_FIELDS)
    assert calls == [
        ("drive/TestFiles.java", 2, "drive.files.list"),
        ("src/TestDeeper.java", 2, "gmail.users.threads.list"), ("src/TestLabels.java", 3, "gmail.users.labels.list"),
        ("src/TestLabels.java", 4, "gmail.users.drafts.list")]


def test_the_verb_of_a_url_given_to_a_name_is_that_of_the_request_it_is_given_to(finder: CallFinder):
    text = '''\
function post() {
  const url = "https://chat.googleapis.com/v1/spaces/A/messages";
  const options = {method: "post", payload: "{}"};
  UrlFetchApp.fetch(url, options);
}
function get() {
  const url = `https://chat.googleapis.com/v1/spaces/A/messages`;
  UrlFetchApp.fetch(url, {headers: h});
}
function nothing() {
  const url = "https://chat.googleapis.com/v1/spaces/A/messages";
  log(url);
}
'''
    calls, unresolved = _calls(finder, text, JAVASCRIPT)
    assert calls == [(2, "chat.spaces.messages.create"), (7, "chat.spaces.messages.list")]
    assert unresolved == [(11, "https://chat.googleapis.com/v1/spaces/A/messages")]


def test_clients_kept_in_an_object_or_taken_by_destructuring_are_followed(finder: CallFinder):
    text = '''\
const {google} = require('googleapis');
const drive = google.drive({version: 'v3', auth});
const {files, permissions: perms} = drive;
files.list({pageSize: 10});
perms.create({fileId: 'x'});
const clients = {sheets: google.sheets({version: 'v4'}), gmail: google.gmail({version: 'v1'})};
clients.gmail.users.labels.list({userId: 'me'});
clients.sheets.spreadsheets.get({spreadsheetId: 'x'});
const {messages, nothing} = clients.gmail.users;
messages.list({userId: 'me'});
const {a} = unknown;
'''
    assert _calls(finder, text, JAVASCRIPT) == ([
        (4, "drive.files.list"), (5, "drive.permissions.create"), (7, "gmail.users.labels.list"),
        (8, "sheets.spreadsheets.get"), (10, "gmail.users.messages.list")], [])


# Clients made side by side and given several names at once: each name is given the value
# at its position (a resource of a client too). A value that is only part of an item, or
# names and values that do not pair up, bind no name; nor does an earlier statement that
# unpacks other values.
UNPACKED_AT_ONCE = [
    ('''\
from googleapiclient.discovery import build
drive, sheets = build("drive", "v3"), build("sheets", "v4", credentials=creds)
drive.files().list().execute()
sheets.spreadsheets().get(spreadsheetId="x").execute()
(self.mail, perms) = (build("gmail", "v1"), build("drive", "v3").permissions())
self.mail.users().labels().list(userId="me").execute()
perms.list(fileId="x").execute()
first, second = wrap(build("drive", "v3")), 1
first.files().create().execute()
one, two = build("drive", "v3"), build("tasks", "v1"), build("gmail", "v1")
two.tasklists().list().execute()
low, high = 1, 2
service = build("tasks", "v1")
service.tasks().list(tasklist="x").execute()
mail, tasks = build("gmail", "v1"), \\
    build("tasks", "v1")
tasks.tasks().insert(tasklist="x").execute()
''', PYTHON, [(3, "drive.files.list"), (4, "sheets.spreadsheets.get"), (6, "gmail.users.labels.list"),
              (7, "drive.permissions.list"), (14, "tasks.tasks.list"), (17, "tasks.tasks.insert")]),
    ('''\
const {google} = require('googleapis');
async function getDrive(auth) { return google.drive({version: 'v3', auth}); }
async function getSheets(auth) { return google.sheets({version: 'v4', auth}); }
async function main(auth) {
  const [drive, gmail]: [drive_v3.Drive, gmail_v1.Gmail] = [
    google.drive({version: 'v3', auth}),
    google.gmail({version: 'v1', auth}),
  ];
  await drive.files.list({});
  await gmail.users.labels.list({userId: 'me'});
  const [d, s] = await Promise.all([getDrive(auth), getSheets(auth)]);
  await d.permissions.list({fileId: 'x'});
  await s.spreadsheets.values.get({spreadsheetId: 'x', range: 'A1'});
  let pending, tasks = google.tasks({version: 'v1', auth});
  await tasks.tasklists.list({});
}
''', JAVASCRIPT, [(9, "drive.files.list"), (10, "gmail.users.labels.list"), (12, "drive.permissions.list"),
                  (13, "sheets.spreadsheets.values.get"), (15, "tasks.tasklists.list")]),
    ('''\
import asyncio
from asyncio import gather
from googleapiclient.discovery import build
async def get_drive(creds):
    return build("drive", "v3", credentials=creds)
async def get_sheets(creds):
    return build("sheets", "v4", credentials=creds)
async def main(creds):
    drive, sheets = await asyncio.gather(get_drive(creds), get_sheets(creds))
    drive.files().list().execute()
    sheets.spreadsheets().get(spreadsheetId="x").execute()
    files, tasks = await gather(
        get_drive(creds),
        other(creds),
    )
    files.permissions().list(fileId="x").execute()
''', PYTHON, [(10, "drive.files.list"), (11, "sheets.spreadsheets.get"), (16, "drive.permissions.list")]),
]


@pytest.mark.parametrize("text, syntax, calls", UNPACKED_AT_ONCE, ids=["python", "javascript", "python-asyncio-gather"])
def test_clients_given_several_names_at_once_are_bound_by_position(finder: CallFinder, text, syntax, calls):
    assert _calls(finder, text, syntax) == (calls, [])


CLOUD_CLIENT_LIBRARIES = {
    # Chat's and Meet's Cloud client libraries: a client made in a factory of another file
    # (Python, JavaScript), made and read in place (Python's asyncio client too), declared
    # with its type (TypeScript, Java); each method is the REST method its HTTP rule names. A class of the same name
    # without the library's import is not a client.
    "py/auth.py": "from google.apps import chat_v1 as google_chat\n\ndef make_client(creds):\n"
                  "    return google_chat.ChatServiceClient(credentials=creds)\n",
    "py/send.py": "from auth import make_client\nfrom google.apps import meet_v2\n\n"
                  "client = make_client(None)\nclient.create_message(request)\nclient.list_memberships(request)\n"
                  "meet_v2.SpacesServiceClient().create_space(request=request)\n",
    "py/other.py": "class ChatServiceClient:\n    pass\n\nChatServiceClient().create_message(request)\n",
    "py/watch.py": "from google.apps import meet_v2\n\nasync def watch(creds):\n"
                   "    records = meet_v2.ConferenceRecordsServiceAsyncClient(credentials=creds)\n"
                   "    await records.list_participants(request=request)\n",
    "js/auth.js": "import {ChatServiceClient} from '@google-apps/chat';\n"
                  "export function createClient(authClient) {\n  return new ChatServiceClient({authClient});\n}\n",
    "js/list.js": "import {createClient} from './auth.js';\nconst chatClient = createClient(auth);\n"
                  "await chatClient.listSpaces({});\n",
    "js/typed.ts": "import {ChatServiceClient} from '@google-apps/chat';\n"
                   "async function react(chat: ChatServiceClient) {\n  await chat.createReaction({parent: 'x'});\n}\n",
    "java/Send.java": "import com.google.chat.v1.ChatServiceClient;\nclass Send {\n  ChatServiceClient chat;\n"
                      "  void run() {\n    chat.deleteMessage(request);\n"
                      "    try (ChatServiceClient c = ChatServiceClient.create()) { c.getSpace(request); }\n  }\n}\n",
}


def test_the_clients_of_chats_and_meets_cloud_client_libraries_make_rest_calls(tmp_path):
    scan, calls = scanned_tree(tmp_path, CLOUD_CLIENT_LIBRARIES)
    assert calls == [
        ("java/Send.java", 5, "chat.spaces.messages.delete"), ("java/Send.java", 6, "chat.spaces.get"),
        ("js/list.js", 3, "chat.spaces.list"), ("js/typed.ts", 3, "chat.spaces.messages.reactions.create"),
        ("py/send.py", 5, "chat.spaces.messages.create"), ("py/send.py", 6, "chat.spaces.members.list"),
        ("py/send.py", 7, "meet.spaces.create"), ("py/watch.py", 5, "meet.conferenceRecords.participants.list")]
    assert scan.unresolved == ()


CSHARP_APP = '''\
using Google.Apis.Auth.OAuth2;
using Google.Apis.Drive.v3;
using Google.Apis.Drive.v3.Data;
using Google.Apis.Gmail.v1;
using Google.Apis.Services;

class Backup
{
    private readonly GmailService gmail;
    public Backup(GmailService mail) { gmail = mail; }

    public static DriveService Create(UserCredential credential)
    {
        return new DriveService(new BaseClientService.Initializer { HttpClientInitializer = credential });
    }

    public async Task Run(UserCredential credential, Stream stream)
    {
        var service = new DriveService(new BaseClientService.Initializer { HttpClientInitializer = credential });
        var request = service.Files.List();
        request.Q = "trashed = false";
        var files = request.Execute();
        service.Files.Get("id").Download(stream);
        await gmail.Users.Labels.List("me").ExecuteAsync();
        Create(credential).Permissions.Create(new Permission { Type = "user" }, "id").Execute();
        service.Files.Rename("id").Execute();
    }
}
'''


def test_csharp_clients_of_the_dotnet_client_libraries(finder: CallFinder):
    # A client made with `new`, a typed field given a typed parameter, a method declared to
    # return one; properties for resources, PascalCase methods; a request kept to set its
    # properties apart gets those of its block; `Download` asks for the content; an object
    # in the brackets is a request body, whose fields are no parameters.
    calls, unresolved = finder.find("f", lex(CSHARP_APP, CSHARP), CSHARP.name, False)
    assert sorted((call.line, call.method, call.parameters, call.unseen) for call in calls) == [
        (20, "drive.files.list", (("q", "trashed = false"),), ""), (23, "drive.files.get", (("alt", "media"),), ""),
        (24, "gmail.users.labels.list", (), ""), (25, "drive.permissions.create", (), "")]
    assert [(item.line, item.written) for item in unresolved] == [(26, "service.Files.Rename()")]


@pytest.mark.parametrize(("kept", "parameters", "unseen"), [
    ('var request = gmail.Users.Messages.List("me");\nrequest.LabelIds = "INBOX";\nrequest.Execute();',
     (("labelIds", "INBOX"),), ""),
    ('var request = drive.Files.Get("id");\nrequest.MediaDownloader.ChunkSize = 1024;\n'
     'await request.DownloadAsync(stream);', (("alt", "media"),), ""),
    ('var request = gmail.Users.Messages.List("me");\nConfigure(request);\nrequest.Execute();', (), "request"),
    ('var request = gmail.Users.Messages.List("me");\nif (unread) { request.Q = "is:unread"; }\n'
     'return request;', (), "request"),
    ('var request = gmail.Users.Messages.List("me");\nnames.ForEach(request => Log(request));\n'
     'request.Q = "is:unread";\nrequest.Execute();', (), "request"),
], ids=["properties", "download", "given-on", "returned", "lambda-of-the-same-name"])
def test_a_csharp_request_kept_in_a_name_gets_the_properties_of_its_block(finder: CallFinder, kept, parameters,
                                                                          unseen):
    # Properties are how .NET requests take parameters: a request kept to set them used to
    # be read as one that may get any parameter, so gmail.metadata never authorized a list
    # that only names its labels.
    text = ("using Google.Apis.Drive.v3;\nusing Google.Apis.Gmail.v1;\nclass A {\n"
            "  async Task Run(GmailService gmail, DriveService drive, Stream stream) {\n" + kept + "\n  }\n}\n")
    calls, _ = finder.find("f", lex(text, CSHARP), CSHARP.name, False)
    assert [(call.parameters, call.unseen) for call in calls] == [(parameters, unseen)]


def test_requests_kept_in_names_are_read_in_linear_work(finder: CallFinder):
    # Each kept request reads its block's uses of its name, at most KEPT_REACH characters:
    # a block of many requests costs in proportion to their number.
    def text(count: int) -> str:
        kept = 'var request = drive.Files.Get("x");\nrequest.Fields = "id";\nrequest.Execute();\n'
        return "using Google.Apis.Drive.v3;\nclass A {\n  void R(DriveService drive) {\n" + kept * count + "  }\n}\n"

    def found(count: int) -> int:
        calls, _ = finder.find("f", lex(text(count), CSHARP), CSHARP.name, False)
        return sum(call.stated == {"fields": "id"} for call in calls)

    assert found(100) == 100
    small, large = (lines_run(lambda count=count: found(count)) for count in (300, 600))
    assert large <= 2.2 * small


def test_a_csharp_class_two_using_directives_give_different_versions_is_not_followed(finder: CallFinder):
    text = ('using Google.Apis.Drive.v2;\nusing Google.Apis.Drive.v3;\nusing Google.Apis.Gmail.v1;\n'
            'var drive = new DriveService(init);\ndrive.Files.List().Execute();\n'
            'var gmail = new GmailService(init);\ngmail.Users.Drafts.List("me").Execute();\n')
    assert _calls(finder, text, CSHARP) == ([(7, "gmail.users.drafts.list")], [])


def test_a_csharp_verbatim_string_ends_at_its_lone_quote(finder: CallFinder):
    # A backslash does not escape in `@"..."`, `""` stands for a quote, and the string may run
    # over lines. Read as an ordinary string, the path ran on to the end of its line, over the
    # call after it.
    text = ('using Google.Apis.Drive.v3;\nvar drive = new DriveService(init);\n'
            'var folder = @"C:\\backup\\"; drive.Files.List().Execute();\n'
            'var note = $@"said ""{x}""\nover two lines\\"; drive.Files.Get("id").Execute();\n')
    assert _calls(finder, text, CSHARP) == ([(3, "drive.files.list"), (5, "drive.files.get")], [])


def test_a_csharp_factory_of_another_file_makes_clients(tmp_path):
    files = {"Clients.cs": "using Google.Apis.Gmail.v1;\nstatic class Clients {\n"
                           "  public static async Task<GmailService> GmailAsync(UserCredential c) {\n"
                           "    return new GmailService(Initializer(c));\n  }\n}\n",
             "Send.cs": "class Send {\n  async Task Run(UserCredential c) {\n"
                        "    var gmail = await Clients.GmailAsync(c);\n"
                        "    await gmail.Users.Messages.Send(message, \"me\").ExecuteAsync();\n  }\n}\n"}
    _, calls = scanned_tree(tmp_path / "src", files)
    assert calls == [("Send.cs", 4, "gmail.users.messages.send")]


def test_a_csharp_client_class_written_in_full_or_under_an_alias_is_followed(finder: CallFinder):
    # The namespace gives the version wherever it is written, but in a comment.
    text = ('using Drive = Google.Apis.Drive.v3;\nusing Google.Apis.Drive.v3.Data;\n'
            'var s = new Google.Apis.Gmail.v1.GmailService(init);\ns.Users.Labels.List("me").Execute();\n'
            'var d = new Drive.DriveService(init);\nd.Files.List().Execute();\n'
            '// Google.Apis.Tasks.v1.TasksService\nvar t = new TasksService(init);\nt.Tasklists.List().Execute();\n')
    assert _calls(finder, text, CSHARP) == ([(4, "gmail.users.labels.list"), (6, "drive.files.list")], [])


def test_a_csharp_class_reads_the_client_fields_of_the_class_it_derives_from(tmp_path):
    # The base class of the subclass's own folder, before another of the same name.
    base = ("using Google.Apis.Drive.{version};\npublic abstract class BaseTest {{\n"
            "  protected DriveService service;\n}}\n")
    files = {"v2/BaseTest.cs": base.format(version="v2"), "v3/BaseTest.cs": base.format(version="v3"),
             "v3/CreateTest.cs": "public class CreateTest : BaseTest, IDisposable {\n"
                               "  public void Run() { this.service.Files.Create(new File()).Execute(); }\n"
                               "  public void Dispose() { service.Drives.Delete(\"id\").Execute(); }\n}\n"}
    _, calls = scanned_tree(tmp_path / "src", files)
    assert calls == [("v3/CreateTest.cs", 2, "drive.files.create"), ("v3/CreateTest.cs", 3, "drive.drives.delete")]


def test_a_kotlin_class_reads_the_client_fields_of_the_class_it_derives_from(tmp_path):
    # A base class in Kotlin or in Java; a primary constructor before the colon.
    files = {"app/BaseTest.kt": "import com.google.api.services.gmail.Gmail\n"
                                "abstract class BaseTest {\n  lateinit var service: Gmail\n}\n",
             "app/LabelsTest.kt": "class LabelsTest(name: String) : BaseTest() {\n"
                                  "  fun run() { service.users().labels().list(\"me\").execute() }\n}\n",
             "app/JavaBase.java": "import com.google.api.services.drive.Drive;\n"
                                  "public class JavaBase {\n  protected Drive drive;\n}\n",
             "app/FilesTest.kt": "class FilesTest : JavaBase() {\n  fun run() { drive.files().list().execute() }\n}\n"}
    _, calls = scanned_tree(tmp_path / "src", files)
    assert calls == [("app/FilesTest.kt", 2, "drive.files.list"), ("app/LabelsTest.kt", 2, "gmail.users.labels.list")]


# Google Workspace APIs outside the catalog's Workspace families (the Reseller API, Groups
# Migration, Cloud Search): their calls were dropped as calls of an unknown API.
OTHER_WORKSPACE_APIS = [
    ('''\
from googleapiclient.discovery import build
reseller = build("reseller", "v1")
reseller.subscriptions().list(customerId="C1").execute()
build("groupsmigration", "v1").archive().insert(groupId="g").execute()
''', PYTHON, False, [(3, "reseller.subscriptions.list"), (4, "groupsmigration.archive.insert")]),
    ('''\
const {google} = require('googleapis');
const search = google.cloudsearch({version: 'v1', auth});
search.query.search({requestBody: {}});
''', JAVASCRIPT, False, [(3, "cloudsearch.query.search")]),
    ('''\
import com.google.api.services.reseller.Reseller;
import com.google.api.services.groupsmigration.GroupsMigration;
class Orders {
  void list(Reseller service) throws IOException { service.subscriptions().list().execute(); }
  void archive(GroupsMigration migration) throws IOException { migration.archive().insert("g", null).execute(); }
}
''', JAVA, False, [(4, "reseller.subscriptions.list"), (5, "groupsmigration.archive.insert")]),
    ('''\
import reseller "google.golang.org/api/reseller/v1"
func list(srv *reseller.Service) { srv.Subscriptions.List().Do() }
''', GO, False, [(2, "reseller.subscriptions.list")]),
    ('''\
using Google.Apis.Reseller.v1;
class Orders { void List(ResellerService service) { service.Subscriptions.List().Execute(); } }
''', CSHARP, False, [(2, "reseller.subscriptions.list")]),
    ('''\
function subscriptions() {
  const found = AdminReseller.Subscriptions.list({maxResults: 10});
  AdminGroupsMigration.Archive.insert("group@example.com", blob);
}
''', JAVASCRIPT, True, [(2, "reseller.subscriptions.list"), (3, "groupsmigration.archive.insert")]),
]


@pytest.mark.parametrize("text, syntax, apps_script, expected", OTHER_WORKSPACE_APIS,
                         ids=["python", "node", "java", "go", "csharp", "apps-script"])
def test_calls_of_the_reseller_groups_migration_and_cloud_search_apis(finder: CallFinder, text, syntax, apps_script,
                                                                      expected):
    assert _calls(finder, text, syntax, apps_script) == (expected, [])
