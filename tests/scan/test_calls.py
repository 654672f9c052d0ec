"""Google API calls in each language, with their positions, and what must not count as a call."""

from __future__ import annotations

import pytest

from auditor.scan.lexer import GO, JAVA, JAVASCRIPT, PYTHON, lex
from auditor.scan.calls import CallFinder
from auditor.scan.methods import load_method_table


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


def test_apps_script_services_are_not_calls_outside_a_script_project(finder: CallFinder):
    calls, _ = _calls(finder, "const x = Gmail.Users.Labels.list('me'); DocumentApp.getUi();\n", JAVASCRIPT)
    assert calls == []



def test_apps_script_optional_arguments_object_is_stated(finder: CallFinder):
    text = "function f(id) {\n  return Gmail.Users.Messages.get('me', id, {format: 'metadata'});\n}\n"
    assert _stated(finder, text, JAVASCRIPT, apps_script=True) == [{"format": "metadata"}]


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
