"""Client factories: functions that return a Google API client, called in the same file or
in other files of the same language, whose clients' calls are found like a constructor's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.scan.calls import CallFinder
from auditor.scan.drift import scan_code
from auditor.scan.factories import ClientFactory, factory_table, module_table
from auditor.scan.lexer import GO, JAVA, JAVASCRIPT, KOTLIN, PYTHON, lex
from auditor.scan.methods import load_method_table
from tests.helpers import lines_run, run_wsaudit, scanned_tree, write_tree


@pytest.fixture(scope="module")
def finder() -> CallFinder:
    return CallFinder(load_method_table())


def _found(finder: CallFinder, text: str, syntax, others=None):
    found = finder.find_all("f", lex(text, syntax), syntax.name, False, others)
    return (sorted((call.line, call.method) for call in found.calls),
            sorted((factory.name, factory.api) for factory in found.factories if factory.kind == "function"))


SAME_FILE = [
    # Python: returned where it is made, returned by name, a lambda, a method, a factory of
    # a factory.
    ('''\
from googleapiclient.discovery import build
def get_service(creds):
    return build("gmail", "v1", credentials=creds)
def named(creds):
    files = build("drive", "v3", credentials=creds)
    return files
tasks = lambda creds: build("tasks", "v1", credentials=creds)
class Mail:
    def __init__(self, creds):
        self.svc = get_service(creds)
    def labels(self):
        return self.svc.users().labels().list(userId="me").execute()
def gmail_again(creds):
    return get_service(creds)
listed = named(None).files().list().execute()
service = gmail_again(None)
service.users().drafts().list(userId="me").execute()
tasks(None).tasklists().list().execute()
''', PYTHON, [(12, "gmail.users.labels.list"), (15, "drive.files.list"), (17, "gmail.users.drafts.list"),
              (18, "tasks.tasklists.list")],
     [("get_service", "gmail"), ("gmail_again", "gmail"), ("named", "drive"), ("tasks", "tasks")]),
    # JavaScript and TypeScript: a declaration, an arrow function, a method with a return
    # type whose client is returned by name inside an `if`, an object's method.
    ('''\
const {google} = require('googleapis');
export async function getGmail(auth) { return google.gmail({version: 'v1', auth}); }
const getDrive = (auth) => google.drive({version: 'v3', auth});
class Store {
  async calendar(auth): Promise<calendar_v3.Calendar> {
    if (auth) {
      const cal = google.calendar({version: 'v3', auth});
      return cal;
    }
  }
  async run(auth) {
    const gmail = await getGmail(auth);
    await gmail.users.labels.list({userId: 'me'});
    const events = (await this.calendar(auth)).events;
    this.client = await this.calendar(auth);
    this.client.events.list({calendarId: 'primary'});
    getDrive(auth).files.list({});
  }
}
module.exports = { tasks(auth) { return google.tasks({version: 'v1', auth}); } };
const t = tasks(auth);
t.tasklists.list({});
''', JAVASCRIPT, [(13, "gmail.users.labels.list"), (16, "calendar.events.list"), (17, "drive.files.list"),
                  (22, "tasks.tasklists.list")],
     [("calendar", "calendar"), ("getDrive", "drive"), ("getGmail", "gmail"), ("tasks", "tasks")]),
    # Go: the client type a function returns.
    ('''\
package main
import (
  "context"
  "google.golang.org/api/gmail/v1"
)
func (c *Config) newService(ctx context.Context) (*gmail.Service, error) {
  return gmail.NewService(ctx)
}
func main() {
  srv, err := cfg.newService(context.Background())
  srv.Users.Labels.List("me").Do()
}
''', GO, [(11, "gmail.users.labels.list")], [("newService", "gmail")]),
    # Java: a method declared to return a client (a Spring bean), used through `var`.
    ('''\
import com.google.api.services.gmail.Gmail;
class Clients {
  @Bean Gmail gmail(Credential credential) throws IOException {
    return new Gmail.Builder(transport, json, credential).build();
  }
  void run() { var service = gmail(credential); service.users().labels().list("me").execute(); }
}
''', JAVA, [(6, "gmail.users.labels.list")], [("gmail", "gmail")]),
    # Kotlin: a function declared to return a client.
    ('''\
import com.google.api.services.drive.Drive
fun drive(credential: Credential): Drive = Drive.Builder(transport, json, credential).build()
fun main() { val files = drive(credential); files.files().list().execute() }
''', KOTLIN, [(3, "drive.files.list")], [("drive", "drive")]),
]


@pytest.mark.parametrize("text, syntax, calls, factories", SAME_FILE, ids=["python", "node", "go", "java", "kotlin"])
def test_a_factory_of_the_same_file_makes_clients_where_it_is_called(finder, text, syntax, calls, factories):
    assert _found(finder, text, syntax) == (calls, factories)


ON_NEW_OBJECTS = [
    # A factory method called on the object a class makes in the same expression; not a
    # name too common to be a factory's, not a function of a small letter, not a segment of
    # a chain on a capitalised factory's client (`Create_Service(...).users()`).
    ("""\
from googleapiclient.discovery import build
class Auth:
    def get_service(self):
        return build('drive', 'v3', credentials=self.creds)
    def get(self):
        return build('gmail', 'v1')
def Create_Service():
    return build('gmail', 'v1')
def users():
    return build('tasks', 'v1')
svc = Auth().get_service()
svc.files().list().execute()
Auth(creds).get_service().files().get(fileId='x').execute()
other = Auth().get()
other.users().labels().list(userId='me')
lower = auth().get_service()
lower.files().list()
Create_Service().users().tasklists().list()
""", PYTHON, [(12, "drive.files.list"), (13, "drive.files.get")], [18]),
    ("""\
const {google} = require('googleapis');
class Factory { getGmail() { return google.gmail({version: 'v1'}); } }
const g = new Factory(auth).getGmail();
g.users.labels.list({userId: 'me'});
const h = await new Factory().getGmail();
h.users.drafts.list({userId: 'me'});
""", JAVASCRIPT, [(4, "gmail.users.labels.list"), (6, "gmail.users.drafts.list")], []),
]


@pytest.mark.parametrize("text, syntax, calls, unresolved", ON_NEW_OBJECTS, ids=["python", "node"])
def test_a_factory_method_called_on_a_new_object_makes_a_client(finder, text, syntax, calls, unresolved):
    # (`Create_Service().users().tasklists()` is a Gmail chain with no such resource, not a
    # call of the factory `users`, whose Tasks client has tasklists.)
    found = finder.find_all("f", lex(text, syntax), syntax.name, False)
    assert (sorted((call.line, call.method) for call in found.calls), [item.line for item in found.unresolved]) == (
        calls, unresolved)


def test_factory_methods_on_new_objects_are_found_in_linear_work(finder):
    def text(count: int) -> str:
        return ("from googleapiclient.discovery import build\nclass Auth:\n    def get_service(self):\n"
                "        return build('drive', 'v3')\n" + "Auth(X(a).y()).get_service().files().list()\n" * count)

    assert len(_found(finder, text(100), PYTHON)[0]) == 100
    small, large = (lines_run(lambda count=count: _found(finder, text(count), PYTHON)) for count in (300, 600))
    assert large <= 2.2 * small


NOT_FACTORIES = [
    # What is returned is a call on the client, or the client and something else.
    ('from googleapiclient.discovery import build\n'
     'def labels():\n    return build("gmail", "v1").users().labels().list(userId="me").execute()\n'
     'def pair():\n    return build("drive", "v3").files(), None\n', PYTHON),
    # A callback returns the client: the function it is given to does not.
    ("authorize(creds, function (auth) { return google.gmail({version: 'v1', auth}); });\n"
     "authorize(creds, (auth) => { return google.drive({version: 'v3', auth}); });\n", JAVASCRIPT),
    # A client made in one function and a name of the same spelling returned by another.
    ('from googleapiclient.discovery import build\n'
     'def one():\n    service = build("gmail", "v1")\n    service.users().getProfile(userId="me").execute()\n'
     'def other(service):\n    return service\n', PYTHON),
    # A method returning a resource of the API, not its client.
    ("import com.google.api.services.gmail.Gmail;\nclass A { Gmail.Users users() { return null; } }\n", JAVA),
]


@pytest.mark.parametrize("text, syntax", NOT_FACTORIES,
                         ids=["call-on-client", "callback", "other-function", "resource"])
def test_what_returns_no_client_is_no_factory(finder, text, syntax):
    assert _found(finder, text, syntax)[1] == []


SEVERAL_RETURNED = [
    # Python: made in the `return`, or bound first and returned by name, in brackets or not;
    # a value that is no client (`3`) or a call on one (`.files()`) is left out, and the
    # names its position is unpacked to are not bound. Unpacked to names, or to attributes.
    ('''\
from googleapiclient.discovery import build
def get_services(creds):
    return build("drive", "v3", credentials=creds), build("sheets", "v4", credentials=creds)
def named(creds):
    mail = build("gmail", "v1", credentials=creds)
    tasks = build("tasks", "v1", credentials=creds)
    return (mail, 3, tasks)
def listed():
    return [build("drive", "v3").files(), build("tasks", "v1")]
class Sync:
    def __init__(self, creds):
        self.drive, self.sheets = get_services(creds)
    def run(self):
        self.drive.files().list().execute()
        self.sheets.spreadsheets().get(spreadsheetId="s").execute()
mail, count, tasks = named(None)
mail.users().labels().list(userId="me").execute()
count.users().drafts().list(userId="me").execute()
(files, t) = listed()
files.list().execute()
t.tasklists().list().execute()
''', PYTHON, [(14, "drive.files.list"), (15, "sheets.spreadsheets.get"), (17, "gmail.users.labels.list"),
              (21, "tasks.tasklists.list")],
     [("get_services", "{0=drive,1=sheets}"), ("listed", "{1=tasks}"), ("named", "{0=gmail,2=tasks}")]),
    # JavaScript: an array, an object made in the `return` (over several lines) or of names
    # (shorthand); unpacked by position or key, or kept whole and read by key. TypeScript's
    # return types, an object type among them.
    ('''\
const {google} = require('googleapis');
async function getClients(auth): Promise<[drive_v3.Drive, sheets_v4.Sheets]> {
  const drive = google.drive({version: 'v3', auth});
  const sheets = google.sheets({version: 'v4', auth});
  return [drive, sheets];
}
function mailAndTasks(auth): {gmail: gmail_v1.Gmail; tasks: tasks_v1.Tasks; retries: number} {
  return {
    gmail: google.gmail({version: 'v1', auth}),
    tasks: google.tasks({version: 'v1', auth}),
    retries: 3,
  };
}
const justDrive = (auth) => {
  const drive = google.drive({version: 'v3', auth});
  return {drive, retries: 1};
};
async function main(auth) {
  const [d, s] = await getClients(auth);
  await d.files.list({});
  await s.spreadsheets.get({spreadsheetId: 'x'});
  const {gmail, tasks: t, retries} = mailAndTasks(auth);
  gmail.users.labels.list({userId: 'me'});
  t.tasklists.list({});
  const clients = mailAndTasks(auth);
  clients.gmail.users.drafts.list({userId: 'me'});
  const {drive} = justDrive(auth);
  drive.files.delete({fileId: 'x'});
}
''', JAVASCRIPT, [(20, "drive.files.list"), (21, "sheets.spreadsheets.get"), (23, "gmail.users.labels.list"),
                  (24, "tasks.tasklists.list"), (26, "gmail.users.drafts.list"), (28, "drive.files.delete")],
     [("getClients", "{0=drive,1=sheets}"), ("justDrive", "{drive=drive}"),
      ("mailAndTasks", "{gmail=gmail,tasks=tasks}")]),
]


@pytest.mark.parametrize("text, syntax, calls, factories", SEVERAL_RETURNED, ids=["python", "node"])
def test_a_factory_returning_several_clients_binds_each_name_they_are_unpacked_to(finder, text, syntax, calls,
                                                                                  factories):
    assert _found(finder, text, syntax) == (calls, factories)


def test_clients_a_factory_returns_together_are_no_client_of_the_name_given_them_whole(finder):
    # A tuple or an array is read by position: the name given it whole holds no client, and
    # `pair().files()` is no call on one; nor is `_`, a value set aside.
    text = ('from googleapiclient.discovery import build\n'
            'def pair():\n    return build("drive", "v3"), None\n'
            'both = pair()\nboth.files().list().execute()\npair().files().list().execute()\n'
            'def two():\n    return build("drive", "v3"), build("tasks", "v1")\n'
            '_, drive = reversed(two())\ndrive.files().list().execute()\n'
            'd, _ = two()\n_.tasklists().list().execute()\nd.files().create().execute()\n')
    assert _found(finder, text, PYTHON) == ([(13, "drive.files.create")],
                                            [("pair", "{0=drive}"), ("two", "{0=drive,1=tasks}")])


def test_a_definition_is_no_call_and_a_common_name_on_another_object_is_no_factory(finder):
    others = {"get": ("gmail", "v1"), "make_gmail": ("gmail", "v1")}
    text = '''\
def make_gmail(creds):
    pass
value = config.get("labels")
value.users().labels().list(userId="me").execute()
mine = self.get()
mine.users().drafts().list(userId="me").execute()
svc = clients.make_gmail(None)
svc.users().threads().list(userId="me").execute()
'''
    # `make_gmail`'s own definition is no call of it; `config.get(...)` is no call of a
    # factory named `get`, but `self.get()` and `clients.make_gmail(...)` are.
    assert _found(finder, text, PYTHON, others)[0] == [(6, "gmail.users.drafts.list"), (8, "gmail.users.threads.list")]


def test_a_name_two_factories_of_different_apis_share_is_not_followed(finder):
    text = '''\
from googleapiclient.discovery import build
class Mail:
    def client(self):
        return build("gmail", "v1")
class Files:
    def client(self):
        return build("drive", "v3")
service = Mail().client()
service.users().labels().list(userId="me").execute()
'''
    assert _found(finder, text, PYTHON) == ([], [])
    factories = [ClientFactory("python", "client", "gmail", "v1"), ClientFactory("python", "client", "drive", "v3"),
                 ClientFactory("python", "gmail", "gmail", "v1"), ClientFactory("javascript", "drive", "drive", "v3")]
    assert factory_table(factories, "python") == {"gmail": ("gmail", "v1")}


ACROSS_FILES = {
    # A factory of a factory of another file: found in a second round.
    "app/clients.py": 'from googleapiclient.discovery import build\n\ndef base(creds):\n'
                      '    return build("gmail", "v1", credentials=creds)\n',
    "app/mail.py": "from app.clients import base\n\ndef mailbox(creds):\n    return base(creds)\n",
    "app/main.py": "from app import clients, mail\n\n"
                   "def run(creds):\n    service = mail.mailbox(creds)\n"
                   '    return service.users().messages().list(userId="me", q="is:unread").execute()\n',
    "web/gmail.ts": "import {google, gmail_v1} from 'googleapis';\n"
                    "export const getGmail = (auth): gmail_v1.Gmail => google.gmail({version: 'v1', auth});\n",
    "web/labels.ts": "import {getGmail} from './gmail';\n"
                     "export async function labels(auth) {\n  const gmail = getGmail(auth);\n"
                     "  return gmail.users.labels.list({userId: 'me'});\n}\n",
    # Another language's function of the same name makes no client.
    "web/other.js": "const service = base(creds);\nservice.users.drafts.list({userId: 'me'});\n",
}


def test_a_factory_of_another_file_makes_clients_where_it_is_called(tmp_path: Path):
    _, calls = scanned_tree(tmp_path / "src", ACROSS_FILES)
    assert calls == [
        ("app/main.py", 5, "gmail.users.messages.list"), ("web/labels.ts", 4, "gmail.users.labels.list")]


SEVERAL_ACROSS_FILES = {
    "app/clients.py": ('from googleapiclient.discovery import build\n'
                       'def get_services(creds):\n'
                       '    drive = build("drive", "v3", credentials=creds)\n'
                       '    return drive, build("sheets", "v4", credentials=creds)\n'),
    "app/main.py": ('from app.clients import get_services\n'
                    'drive, sheets = get_services(None)\n'
                    'drive.files().delete(fileId="x").execute()\n'
                    'sheets.spreadsheets().values().get(spreadsheetId="s", range="A1").execute()\n'),
    "web/clients.ts": ("import {google} from 'googleapis';\n"
                       "export async function getClients(auth) {\n"
                       "  return {drive: google.drive({version: 'v3', auth}),\n"
                       "          gmail: google.gmail({version: 'v1', auth})};\n"
                       "}\n"),
    "web/app.ts": ("import {getClients} from './clients';\n"
                   "export async function run(auth) {\n"
                   "  const {gmail} = await getClients(auth);\n"
                   "  await gmail.users.messages.send({userId: 'me'});\n"
                   "}\n"),
}


def test_a_factory_of_another_file_returning_several_clients_binds_them_where_it_is_called(tmp_path: Path):
    _, calls = scanned_tree(tmp_path / "src", SEVERAL_ACROSS_FILES)
    assert calls == [("app/main.py", 3, "drive.files.delete"), ("app/main.py", 4, "sheets.spreadsheets.values.get"),
                     ("web/app.ts", 4, "gmail.users.messages.send")]


# A function that returns a resource of a client (taken where the client is made, from a
# name, or on the next line of the expression): a call of it is a call of that resource.
# One that returns a method's response, or what a method other than a resource gives, is
# no factory.
RETURNED_RESOURCES = [
    ('''\
from googleapiclient.discovery import build
def files_api(creds):
    return (build("drive", "v3", credentials=creds)
            .files())
def labels(creds):
    service = build("gmail", "v1", credentials=creds)
    return service \\
        .users().labels()
def permissions(creds):
    perms = build("drive", "v3").permissions()
    return perms
def listed(creds):
    found = build("tasks", "v1").tasklists().list().execute()
    return found
def closing(creds):
    service = build("gmail", "v1")
    return service.close()
files_api(None).list().execute()
labels(None).list(userId="me").execute()
permissions(None).create(fileId="x", body={}).execute()
listed(None).tasklists().list().execute()
closing(None).users().drafts().list(userId="me").execute()
''', PYTHON, [(13, "tasks.tasklists.list"), (18, "drive.files.list"), (19, "gmail.users.labels.list"),
              (20, "drive.permissions.create")],
     [("files_api", "drive"), ("labels", "gmail"), ("permissions", "drive")]),
    ('''\
const {google} = require('googleapis');
function filesApi(auth) {
  return google.drive({version: 'v3', auth})
    .files;
}
function messages(auth) {
  const gmail = google.gmail({version: 'v1', auth});
  return gmail.users.messages;
}
const events = (auth) => google.calendar({version: 'v3', auth}).events;
function sent(auth) {
  return google.gmail({version: 'v1', auth}).users.messages.send({userId: 'me'});
}
async function main(auth) {
  await filesApi(auth).list({});
  await messages(auth).get({userId: 'me', id: 'x'});
  await events(auth).insert({calendarId: 'primary'});
  await sent(auth).users.drafts.list({userId: 'me'});
}
''', JAVASCRIPT, [(12, "gmail.users.messages.send"), (15, "drive.files.list"), (16, "gmail.users.messages.get"),
                  (17, "calendar.events.insert")],
     [("events", "calendar"), ("filesApi", "drive"), ("messages", "gmail")]),
]


@pytest.mark.parametrize("text, syntax, calls, factories", RETURNED_RESOURCES, ids=["python", "node"])
def test_a_factory_returning_a_resource_of_a_client_makes_calls_of_that_resource(finder, text, syntax, calls,
                                                                                   factories):
    assert _found(finder, text, syntax) == (calls, factories)


def test_a_factory_of_another_file_returning_a_resource_makes_calls_of_it(tmp_path: Path):
    files = {"app/clients.py": 'from googleapiclient.discovery import build\n'
                               'def drafts(creds):\n    return build("gmail", "v1", credentials=creds).users().drafts()\n',
             "app/main.py": 'from app.clients import drafts\ndrafts(None).send(userId="me", body={}).execute()\n'}
    _, calls = scanned_tree(tmp_path / "src", files)
    assert calls == [("app/main.py", 2, "gmail.users.drafts.send")]


def test_factories_are_followed_across_files_scanned_in_worker_processes(tmp_path: Path):
    # Past PARALLEL_MIN_FILES files, each round is scanned in a pool of processes.
    from auditor.scan.files import PARALLEL_MIN_FILES

    files = dict(ACROSS_FILES)
    files.update({f"app/filler_{index:03}.py": f"def f{index}():\n    return {index}\n"
                  for index in range(PARALLEL_MIN_FILES)})
    _, calls = scanned_tree(tmp_path / "src", files)
    assert calls == [
        ("app/main.py", 5, "gmail.users.messages.list"), ("web/labels.ts", 4, "gmail.users.labels.list")]


class _CountedWords(dict):
    """The words of a round's factories, counting how often they are pickled for a worker."""

    pickled = 0

    def __reduce__(self):
        _CountedWords.pickled += 1
        return dict, (dict(self),)


def test_a_rounds_factories_reach_each_worker_once_not_with_every_chunk(tmp_path: Path):
    # The tables grow with the tree: sent with each chunk of files, they cost the number of
    # chunks times their size.
    from auditor.scan.files import CHUNK_FILES, PARALLEL_MIN_FILES, FileJob, _scanned

    text = "service = get_service()\nservice.users().labels().list(userId='me')\n"
    root = write_tree(tmp_path / "src", {f"f{index:03}.py": text for index in range(PARALLEL_MIN_FILES)})
    jobs = [FileJob(str(path), "python", False) for path in sorted(root.iterdir())]
    _CountedWords.pickled = 0
    known = ({"python": {"get_service": ("gmail", "v1")}}, {"python": {}},
             _CountedWords(python=frozenset({("get_service",)})))
    results = _scanned(jobs, ScopeCatalog.load(), 1 << 20, known, [])  # type: ignore[arg-type]
    assert (len(jobs) // CHUNK_FILES > 2, _CountedWords.pickled <= 2,
            sum(len(result.calls) for result in results if result is not None)) == (True, True, len(jobs))


def test_scan_code_sees_the_scope_a_factory_client_uses(tmp_path: Path):
    root = write_tree(tmp_path / "src", ACROSS_FILES)
    manifest = tmp_path / "app.wsaudit.yaml"
    manifest.write_text("manifest_version: 1\napp:\n  name: Mail\n  developer: Mail Ltd\n  type: web\n"
                        "scopes:\n  - scope: gmail.readonly\n    justification: Lists unread mail.\n", encoding="utf-8")
    run = run_wsaudit("scan-code", str(root), "--manifest", str(manifest), "--format", "json")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["least_privilege"]["needed"] == ["https://www.googleapis.com/auth/gmail.readonly"]


@pytest.mark.parametrize("syntax, text", [
    (PYTHON, lambda count: "from googleapiclient.discovery import build\n"
     + "".join(f"def f{index}():\n    return build('gmail', 'v1')\n" for index in range(count))
     + "".join(f"s{index} = f{index}()\ns{index}.users().labels().list(userId='me')\n" for index in range(count))),
    (JAVASCRIPT, lambda count: "function g(a) {\n" + "if (a) {\n" * count
     + "return google.gmail({version: 'v1'});\n" * count + "}" * count + "\n"),
    (JAVASCRIPT, lambda count: "f(function (a) {\n" * count + "return google.gmail({version: 'v1'});\n" * count
     + "});\n" * count),
    (JAVASCRIPT, lambda count: "".join(f"function f{index}(a) {{\n  return google.gmail({{version: 'v1'}});\n}}\n"
                                       f"const g{index} = f{index}(a);\ng{index}.users.labels.list({{}});\n"
                                       for index in range(count))),
], ids=["python-factories", "node-nested-blocks", "node-nested-callbacks", "node-factories"])
def test_factories_are_found_in_linear_work(finder, syntax, text):
    # Finding the function each return is in is one pass over the file, whatever the
    # number of returns and the depth of the blocks around them.
    _found(finder, text(100), syntax)  # first use, not counted
    small, large = (lines_run(lambda count=count: _found(finder, text(count), syntax)) for count in (300, 600))
    assert large <= 2.2 * small


@pytest.mark.parametrize("syntax, text", [
    (PYTHON, lambda count: "from googleapiclient.discovery import build\n"
     + "".join(f"def f{index}():\n    return build('gmail', 'v1'), build('drive', 'v3')\n" for index in range(count))
     + "".join(f"m{index}, d{index} = f{index}()\nd{index}.files().list()\n" for index in range(count))),
    (JAVASCRIPT, lambda count: "".join(f"function f{index}(a) {{\n  return {{gmail: google.gmail({{version: 'v1'}}), "
                                       f"n: [1, 2]}};\n}}\nconst {{gmail: g{index}}} = f{index}(a);\n"
                                       f"g{index}.users.labels.list({{}});\n" for index in range(count))),
], ids=["python-tuples", "node-objects"])
def test_factories_returning_several_clients_are_followed_in_linear_work(finder, syntax, text):
    assert len(_found(finder, text(100), syntax)[0]) == 100
    small, large = (lines_run(lambda count=count: _found(finder, text(count), syntax)) for count in (300, 600))
    assert large <= 2.2 * small


PROPERTIES = [
    ('''\
import functools
from googleapiclient.discovery import build
class Mail:
    @property
    def service(self):
        return build("gmail", "v1", credentials=self.creds)

    @functools.cached_property
    def drive(self):
        client = build("drive", "v3", credentials=self.creds)
        return client

    def labels(self):
        return self.service.users().labels().list(userId="me").execute()

    def files(self):
        return self.drive.files().list().execute()
''', PYTHON, [(14, "gmail.users.labels.list"), (17, "drive.files.list")]),
    ('''\
class Mail {
  get gmail(): gmail_v1.Gmail {
    return google.gmail({version: 'v1', auth: this.auth});
  }
  async labels() { return this.gmail.users.labels.list({userId: 'me'}); }
}
''', JAVASCRIPT, [(5, "gmail.users.labels.list")]),
]


@pytest.mark.parametrize("text, syntax, calls", PROPERTIES, ids=["python-properties", "node-getter"])
def test_a_property_that_returns_a_client_is_read_as_the_client(finder, text, syntax, calls):
    # A property is read, not called (`self.service.users()`): no factory, but the
    # attribute is bound to the client.
    assert _found(finder, text, syntax) == (calls, [])


def test_a_chain_on_a_client_is_no_call_of_a_factory_sharing_a_segment_name(finder):
    # A factory named like a resource of the API: `service.users()` and
    # `self.svc.users()` are segments of chains on clients, not calls of it.
    others = {"users": ("drive", "v3")}
    text = '''\
from googleapiclient.discovery import build
service = build("gmail", "v1")
msgs = service.users().messages()
msgs.list(userId="me").execute()
class Box:
    def __init__(self):
        self.svc = build("gmail", "v1")
    def labels(self):
        box = self.svc.users()
        return box.labels().list(userId="me").execute()
'''
    calls, _ = _found(finder, text, PYTHON, others)
    assert calls == [(4, "gmail.users.messages.list"), (10, "gmail.users.labels.list")]


BY_MODULE = {
    # Two modules define a factory of the same name for different APIs; a third module's
    # client, and a TypeScript module's.
    "app/gmail_client.py": 'from googleapiclient.discovery import build\n\ndef get_service(creds):\n'
                           '    return build("gmail", "v1", credentials=creds)\n',
    "app/drive_client.py": 'from googleapiclient.discovery import build\n\ndef get_service(creds):\n'
                           '    return build("drive", "v3", credentials=creds)\n',
    "app/calendar_client.py": 'from googleapiclient.discovery import build\n\nservice = build("calendar", "v3")\n',
    "app/main.py": "from app.gmail_client import get_service\nfrom app import drive_client\n"
                   "from app.calendar_client import service as calendar\n\n"
                   "def run(creds):\n    mail = get_service(creds)\n"
                   '    mail.users().labels().list(userId="me").execute()\n'
                   "    files = drive_client.get_service(creds)\n    files.files().list().execute()\n"
                   '    calendar.events().list(calendarId="primary").execute()\n',
    # A module's client read on the module.
    "app/report.py": "from app import calendar_client\n\ndef events():\n"
                     '    return calendar_client.service.events().list(calendarId="primary").execute()\n',
    "web/more.ts": "import * as client from './client';\nclient.gmail.users.drafts.list({userId: 'me'});\n",
    # A name no import brings in is not the other module's client.
    "app/other.py": 'def run(service):\n    return service.users().drafts().list(userId="me").execute()\n',
    "web/client.ts": "import {google} from 'googleapis';\nexport const gmail = google.gmail({version: 'v1'});\n",
    "web/use.ts": "import {gmail as mail} from './client';\n"
                  "export const labels = () => mail.users.labels.list({userId: 'me'});\n",
}


def test_imports_name_the_module_whose_factory_or_client_is_meant(tmp_path: Path):
    scan, calls = scanned_tree(tmp_path / "src", BY_MODULE)
    assert calls == [
        ("app/main.py", 7, "gmail.users.labels.list"), ("app/main.py", 9, "drive.files.list"),
        ("app/main.py", 10, "calendar.events.list"), ("app/report.py", 4, "calendar.events.list"),
        ("web/more.ts", 2, "gmail.users.drafts.list"), ("web/use.ts", 2, "gmail.users.labels.list")]
    assert scan.unresolved == ()


@pytest.mark.parametrize("code, python, names, modules", [
    ("from app.clients import base, get_service as gs\nfrom . import mail\nfrom ..lib.gmail import svc\n"
     "import app.other as o, x.y\n", True,
     [("base", "app/clients", "base"), ("gs", "app/clients", "get_service"), ("mail", "src/app", "mail"),
      ("svc", "src/lib/gmail", "svc")],
     {"base": "app/clients/base", "gs": "app/clients/get_service", "mail": "src/app/mail",
      "svc": "src/lib/gmail/svc", "o": "app/other", "x.y": "x/y"}),
    ("from app.clients import (\n    base,\n    get_service,\n)\n", True,
     [("base", "app/clients", "base"), ("get_service", "app/clients", "get_service")],
     {"base": "app/clients/base", "get_service": "app/clients/get_service"}),
    ("import {getGmail as g, drive} from './lib/gmail.js';\nconst {svc: s} = require('../clients');\n"
     "import * as m from './mod/index';\nconst k = require('./k');\nimport d from '@/lib/d';\n"
     "import {google} from 'googleapis';\nimport {drive as d2} from '@googleapis/drive';\n"
     "const pkg = require('left-pad');\n", False,
     [("g", "src/app/lib/gmail", "getGmail"), ("drive", "src/app/lib/gmail", "drive"), ("s", "src/clients", "svc")],
     {"m": "src/app/mod", "k": "src/app/k", "d": "lib/d"}),
], ids=["python", "python-brackets", "javascript"])
def test_what_a_file_imports_from_other_modules(code, python, names, modules):
    # Each module as the path an import names: from the file's folder for a relative one.
    from auditor.scan.factories import imports

    found, whole = imports(code, python, "src/app/main.py")
    assert ([(local, module, name) for local, module, name, _ in found], whole) == (names, modules)


def test_module_clients_of_many_modules_are_followed_in_linear_work(finder):
    # Every module's client has the same last word (`service`): a use is matched to the
    # module it is read on by a look-up, not by going through every module's name.
    modules = module_table([(f"app/m{index}.py", ClientFactory("python", "service", "gmail", "v1", "client"))
                            for index in range(1200)], "python")

    def text(count: int) -> str:
        return ("".join(f"import app.m{index} as a{index}\n" for index in range(count))
                + "".join(f"a{index}.service.users().labels().list(userId='me')\n" for index in range(count)))

    def run(count: int):
        return finder.find_all("f", lex(text(count), PYTHON), "python", False, {}, modules)

    assert len(run(100).calls) == 100
    small, large = (lines_run(lambda count=count: run(count)) for count in (300, 600))
    assert large <= 2.2 * small


PARAMETRIC = '''\
from googleapiclient.discovery import build
API_NAME = 'gmail'
API_VERSION = "v1"
def Create_Service(client_secret_file, api_name, api_version, *scopes):
    API_SERVICE_NAME = api_name
    service = build(API_SERVICE_NAME, api_version, credentials=None)
    return service
class Clients:
    def make(self, api: str, version: str = 'v3'):
        return build(api, version)
    def run(self):
        self.make('drive').files().list().execute()
def gmail():
    return Create_Service(SECRET, 'gmail', 'v1', SCOPES)
s1 = build(API_NAME, API_VERSION, credentials=creds)
s1.users().labels().list(userId='me').execute()
s2 = Create_Service('x.json', api_version='v1', api_name='tasks')
s2.tasklists().list().execute()
s3 = gmail()
s3.users().drafts().list(userId='me').execute()
s4 = Create_Service('x.json', sys.argv[1], 'v1')
s4.users().threads().list(userId='me').execute()
s5 = Create_Service(*arguments)
s5.users().threads().list(userId='me').execute()
s6 = build(api, 'v1')
'''


def test_a_factory_that_takes_its_api_as_a_parameter_makes_the_client_its_call_names(finder):
    # Constants, a renamed parameter, keywords, a default, a method; a factory of one. An
    # argument whose value is not known (s4, s5) makes no client.
    assert _found(finder, PARAMETRIC, PYTHON) == (
        [(12, "drive.files.list"), (16, "gmail.users.labels.list"), (18, "tasks.tasklists.list"),
         (20, "gmail.users.drafts.list")],
        [("Create_Service", "(1 api_name)"), ("gmail", "gmail"), ("make", "(0 api)")])


def test_a_client_whose_api_the_code_computes_is_reported_unresolved(finder):
    found = finder.find_all("f", lex(PARAMETRIC, PYTHON), "python", False)
    assert sorted((item.line, item.written, item.reason.key, item.reason.values) for item in found.unresolved) == [
        (21, "Create_Service(...)", "scan.reasons.api_not_stated", {"names": ["api_name"]}),
        (23, "Create_Service(...)", "scan.reasons.api_not_stated", {"names": ["api_name", "api_version"]}),
        (25, "build(api, 'v1', ...)", "scan.reasons.api_not_stated", {"names": ["api"]})]


def test_a_build_call_naming_variables_makes_no_factory_outside_the_client_library(finder):
    # Without an import of the client library, `build(target, config)` is another build.
    text = "def make(target, config):\n    return build(target, config)\n"
    assert _found(finder, text, PYTHON) == ([], [])


COMPUTED = '''\
from googleapiclient import discovery
from googleapiclient.discovery import build
class Mail:
    def __init__(self, creds, api_name="gmail"):
        self.service = build(self.api_name, "v1", credentials=creds)
    def build(self, target, config):
        return target
s1 = build(sys.argv[1], 'v3')
s2 = discovery.build(CONFIG["api"]["name"],
                     "v1")
s3 = build(*arguments)
s4 = build("gmail", **options)
s5 = build(version="v1", serviceName="gmail")
s5.users().labels().list(userId='me').execute()
s6 = build(settings.get("service name that is much longer than any shown"), "v1")
s7 = builder.build(settings.target, "release")
s8 = build(settings.target)
'''


def test_a_client_library_build_of_an_api_the_code_computes_is_reported_unresolved(finder):
    # An attribute, a subscript, a call, an unpacked list or mapping: what the argument is
    # written as is named. Keywords in either order make the client. Not the library's
    # build: a method's definition, another object's build, a build of one argument.
    found = finder.find_all("f", lex(COMPUTED, PYTHON), "python", False)
    assert (sorted((item.line, item.written, item.reason.values["names"]) for item in found.unresolved),
            [(call.line, call.method) for call in found.calls]) == (
        [(5, "build(self.api_name, \"v1\", ...)", ["self.api_name"]),
         (8, "build(sys.argv[1], 'v3', ...)", ["sys.argv[1]"]),
         (9, "build(CONFIG[\"api\"][\"name\"], \"v1\", ...)", ['CONFIG["api"]["name"]']),
         (11, "build(*arguments, ...)", ["*arguments"]),
         (12, "build(\"gmail\", **options, ...)", ["**options"]),
         (15, "build(settings.get(\"service name that is much\u2026, \"v1\", ...)",
          ["settings.get(\"service name that is much\u2026"])],
        [(14, "gmail.users.labels.list")])


def test_a_build_the_code_computes_outside_the_client_library_is_no_finding(finder):
    text = COMPUTED.replace("googleapiclient", "builders")
    assert finder.find_all("f", lex(text, PYTHON), "python", False).unresolved == []


NODE_COMPUTED = '''\
const {google} = require('googleapis');
const gmail = google.gmail({version: VERSION, auth});
gmail.users.labels.list({userId: 'me'});
const drive = google.drive(options);
const calendar = google.calendar({version, auth});
const people = google.people({'version': settings.people.version, auth});
const sheets = google.sheets({...options, auth});
const client = google[api]({version: 'v1', auth});
const tasks = google['tasks']({version: 'v1', auth});
tasks.tasklists.list();
const kept = google[name];
google.maps(options);
google.gmail();
google.gmail({auth});
const GMAIL_VERSION = 'v1', API = "drive";
const mail = google.gmail({version: GMAIL_VERSION, auth});
mail.users.drafts.list({userId: 'me'});
google[API]({version: 'v3'}).files.list();
let V3 = 'v3';
google.drive({version: V3}).files.list();
function one() { const ver = 'v1'; }
function two() { const ver = 'v2'; }
google.gmail({version: ver}).users.labels.list({userId: 'me'});
'''


def test_a_node_client_whose_api_or_version_the_code_computes_is_reported_unresolved(finder):
    # The version as an object's entry, its shorthand, a quoted key, a spread, the whole
    # argument; an API chosen by a key; a name a `let` gives a word, or two `const`s two
    # words. Not reported: an API chosen by a quoted key or a `const`'s word, a version a
    # `const` gives (followed); a function kept rather than called, no API of the table, no
    # version given at all.
    found = finder.find_all("f", lex(NODE_COMPUTED, JAVASCRIPT), "javascript", False)
    assert (sorted((item.line, item.written, item.reason.values["names"]) for item in found.unresolved),
            sorted((call.line, call.method) for call in found.calls)) == (
        [(2, "google.gmail(...)", ["VERSION"]), (4, "google.drive(...)", ["options"]),
         (5, "google.calendar(...)", ["version"]), (6, "google.people(...)", ["settings.people.version"]),
         (7, "google.sheets(...)", ["...options"]), (8, "google[api](...)", ["api"]),
         (20, "google.drive(...)", ["V3"]), (23, "google.gmail(...)", ["ver"])],
        [(10, "tasks.tasklists.list"), (17, "gmail.users.drafts.list"), (18, "drive.files.list")])


def test_builds_of_apis_the_code_computes_are_read_in_linear_work(finder):
    def run(count: int):
        text = "from googleapiclient import discovery\n" + "".join(
            f"s{index} = discovery.build(api{index}, version=VERSIONS[{index}])\n" for index in range(count))
        return finder.find_all("f", lex(text, PYTHON), "python", False)

    assert len(run(100).unresolved) == 100
    small, large = (lines_run(lambda count=count: run(count)) for count in (300, 600))
    assert large <= 2.2 * small


TUTORIAL = {
    # The helper copied from a widely read tutorial, and a script that uses it.
    "Google.py": '''\
import os
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.discovery import build

def Create_Service(client_secret_file, api_name, api_version, *scopes):
    CLIENT_SECRET_FILE = client_secret_file
    API_SERVICE_NAME = api_name
    API_VERSION = api_version
    SCOPES = [scope for scope in scopes[0]]
    flow = InstalledAppFlow.from_client_secrets_file(CLIENT_SECRET_FILE, SCOPES)
    cred = flow.run_local_server()
    try:
        service = build(API_SERVICE_NAME, API_VERSION, credentials=cred)
        print(API_SERVICE_NAME, 'service created successfully')
        return service
    except Exception as e:
        print(e)
    return None
''',
    "main.py": '''\
from Google import Create_Service

CLIENT_SECRET_FILE = 'client_secret.json'
API_NAME = 'gmail'
API_VERSION = 'v1'
SCOPES = ['https://mail.google.com/']

service = Create_Service(CLIENT_SECRET_FILE, API_NAME, API_VERSION, SCOPES)
result = service.users().messages().list(userId='me', q='is:unread').execute()
''',
}


def test_scan_code_follows_a_factory_of_another_file_given_the_api_by_its_caller(tmp_path: Path):
    root = write_tree(tmp_path / "src", TUTORIAL)
    manifest = tmp_path / "app.wsaudit.yaml"
    manifest.write_text("manifest_version: 1\napp:\n  name: Mail\n  developer: Mail Ltd\n  type: installed\n"
                        "scopes:\n  - scope: https://mail.google.com/\n    justification: Lists unread mail.\n",
                        encoding="utf-8")
    run = run_wsaudit("scan-code", str(root), "--manifest", str(manifest), "--format", "json")
    assert run.code == 0, run.stderr
    least = json.loads(run.stdout)["least_privilege"]
    assert ([(call["method"], call["file"], call["line"]) for call in least["calls"]],
            [(broader["scope"], broader["instead"]) for broader in least["broader_than_needed"]]) == (
        [("gmail.users.messages.list", "main.py", 9)],
        [("https://mail.google.com/", ["https://www.googleapis.com/auth/gmail.readonly"])])


def test_calls_of_a_parametric_factory_are_followed_in_linear_work(finder):
    def text(count: int) -> str:
        return ("from googleapiclient.discovery import build\n"
                "def make(secret, api, version):\n    return build(api, version)\n"
                + "".join(f"API{index} = 'gmail'\nservice{index} = make('x', API{index}, 'v1')\n"
                          f"service{index}.users().labels().list(userId='me')\n" for index in range(count)))

    assert len(_found(finder, text(100), PYTHON)[0]) == 100
    small, large = (lines_run(lambda count=count: _found(finder, text(count), PYTHON)) for count in (300, 600))
    assert large <= 2.2 * small


SAME_NAMED_MODULES = {
    # Two modules named `client`, each with a `get_service` of its own API; two JavaScript
    # folders whose `index` files export a `client` each.
    "app/gmail/client.py": 'from googleapiclient.discovery import build\n\ndef get_service(creds):\n'
                           '    return build("gmail", "v1", credentials=creds)\n',
    "app/drive/client.py": 'from googleapiclient.discovery import build\n\ndef get_service(creds):\n'
                           '    return build("drive", "v3", credentials=creds)\n',
    "app/main.py": "from app.gmail.client import get_service\nfrom app.drive import client\n\n"
                   "mail = get_service(None)\nmail.users().labels().list(userId='me').execute()\n"
                   "files = client.get_service(None)\nfiles.files().list().execute()\n",
    "app/gmail/labels.py": "from .client import get_service\n\n"
                           "get_service(None).users().labels().get(userId='me', id='x').execute()\n",
    "web/gmail/index.ts": "import {google} from 'googleapis';\nexport const client = google.gmail({version: 'v1'});\n",
    "web/drive/index.ts": "import {google} from 'googleapis';\nexport const client = google.drive({version: 'v3'});\n",
    "web/app.ts": "import {client} from './drive';\nimport * as mail from './gmail/index';\n"
                  "client.files.list();\nmail.client.users.drafts.list({userId: 'me'});\n",
}


def test_modules_of_one_name_are_told_apart_by_the_folders_an_import_names(tmp_path: Path):
    _, calls = scanned_tree(tmp_path / "src", SAME_NAMED_MODULES)
    assert calls == [
        ("app/gmail/labels.py", 3, "gmail.users.labels.get"), ("app/main.py", 5, "gmail.users.labels.list"),
        ("app/main.py", 7, "drive.files.list"), ("web/app.ts", 3, "drive.files.list"),
        ("web/app.ts", 4, "gmail.users.drafts.list")]


IMPORTED_CONSTANTS = {
    # The API and version kept in a module of their own, which holds nothing else: imported by
    # name (renamed, by a relative import), read on the module, passed to a parametric factory.
    # (`TASKS` is needed only under another name.)
    "app/config.py": 'API_NAME = "gmail"\nAPI_VERSION: str = \'v1\'\nDRIVE = "drive"\nTASKS = "tasks"\n',
    "app/mail.py": "from googleapiclient.discovery import build\n"
                   "from app.config import API_NAME, API_VERSION as VERSION, TASKS as TODO\n"
                   "import app.config as cfg\n\n"
                   "mail = build(API_NAME, VERSION, credentials=None)\n"
                   "mail.users().labels().list(userId='me').execute()\n"
                   "files = build(cfg.DRIVE, 'v3')\nfiles.files().list().execute()\n"
                   "other = build(UNKNOWN, 'v1')\n"
                   "todo = build(TODO, 'v1')\ntodo.tasklists().list().execute()\n",
    "app/tool/Google.py": TUTORIAL["Google.py"],
    "app/tool/main.py": "from .Google import Create_Service\nfrom ..config import API_NAME, API_VERSION\n\n"
                        "service = Create_Service('secret.json', API_NAME, API_VERSION, ['x'])\n"
                        "service.users().drafts().list(userId='me').execute()\n",
}


def test_constants_imported_from_another_module_name_the_api_of_a_client(tmp_path: Path):
    scan, calls = scanned_tree(tmp_path / "src", IMPORTED_CONSTANTS)
    assert (calls, [(scan.relative_path(item.path), item.line, item.written) for item in scan.unresolved]) == (
        [("app/mail.py", 6, "gmail.users.labels.list"), ("app/mail.py", 8, "drive.files.list"),
         ("app/mail.py", 11, "tasks.tasklists.list"), ("app/tool/main.py", 5, "gmail.users.drafts.list")],
        [("app/mail.py", 9, "build(UNKNOWN, 'v1', ...)")])


def test_a_constant_no_file_needs_makes_no_file_scan_again(tmp_path: Path):
    # `ROLE = "admin"` equals an API's name; the modules that import it build no client with
    # it, so they are not scanned again (as they would be if any needed it).
    def work(role: str) -> int:
        files = {"config.py": f'ROLE = "{role}"\n', **{
            f"m{index}.py": "from config import ROLE\n" + "def check(user):\n    return user.role == ROLE\n" * 20
            for index in range(20)}}
        root = write_tree(tmp_path / role, files)
        return lines_run(lambda: scan_code([str(root)], ScopeCatalog.load(), 1 << 20))

    work("warm")  # first use, not counted
    assert work("admin") <= 1.2 * work("owner")


def test_a_module_exports_its_top_level_constants_that_name_an_api_or_a_version(finder):
    text = ('API_NAME = "gmail"\nVERSION: Final = "v3"\nROLE = "owner"\nSPLIT = "gmail"\nSPLIT = "drive"\n'
            'def f():\n    LOCAL = "drive"\nDOC = """\nINSIDE = "tasks"\n"""\nx = dict(\nKEYWORD="tasks")\n')
    found = finder.find_all("f", lex(text, PYTHON), "python", False)
    assert [(factory.name, factory.api) for factory in found.factories if factory.kind == "constant"] == [
        ("API_NAME", "gmail"), ("SPLIT", "drive"), ("SPLIT", "gmail"), ("VERSION", "v3")]


CLASS_INSTANCES = {
    # Classes that bind clients to their instances' attributes (in a method, or as a
    # TypeScript field), and scripts that make instances and read the attributes: in the
    # same file, by an import (renamed), on the module; an instance another class keeps
    # (`self.mail.service`). An attribute given clients of two APIs makes no client; a
    # variable of a function is no attribute; another object's field is not followed.
    "app/gmail_client.py": '''\
from googleapiclient.discovery import build

class GmailClient:
    def __init__(self, creds):
        self.service = build("gmail", "v1", credentials=creds)
        self.files = build("drive", "v3", credentials=creds)
        local = build("sheets", "v4", credentials=creds)

class Tasks:
    def connect(self):
        self.service = build("tasks", "v1")

class Either:
    def one(self):
        self.service = build("tasks", "v1")
    def two(self):
        self.service = build("gmail", "v1")

mail = GmailClient(None)
mail.service.users().labels().list(userId="me").execute()
''',
    "app/main.py": '''\
from app.gmail_client import GmailClient as Client, Either
import app.gmail_client as clients

def main():
    mail: Client = Client(None)
    mail.service.users().drafts().list(userId="me").execute()
    drive = clients.GmailClient(None)
    drive.files.files().list().execute()
    tasks = clients.Tasks()
    tasks.service.tasklists().list().execute()
    either = Either()
    either.service.users().labels().list(userId="me").execute()
    plain = object()
    mail.local.spreadsheets().get(spreadsheetId="x").execute()
class App:
    def __init__(self):
        self.mail = Client(None)
    def run(self):
        self.mail.service.users().threads().list(userId="me").execute()
        other.mail.service.users().threads().get(userId="me", id="x").execute()
''',
    "web/gmail.ts": '''\
import {google} from 'googleapis';
export class GmailService {
  private drive = google.drive({version: 'v3'});
  constructor(auth) {
    this.gmail = google.gmail({version: 'v1', auth});
    const local = google.sheets({version: 'v4'});
  }
}
export default class Tasks extends Base<Options> {
  constructor() { super(); this.tasks = google.tasks({version: 'v1'}); }
}
''',
    "web/app.ts": '''\
import {GmailService as Service} from './gmail';
import * as clients from './gmail';
const mail: Service = new Service(auth);
mail.gmail.users.labels.list({userId: 'me'});
const other = new clients.GmailService(auth);
other.drive.files.list();
const tasks = new clients.Tasks();
tasks.tasks.tasklists.list();
const notOne = new Other();
mail.local.spreadsheets.get({spreadsheetId: 'x'});
class App {
  constructor() { this.mail = new Service(auth); }
  run() { return this.mail.gmail.users.threads.list({userId: 'me'}); }
}
''',
}


def test_an_instance_of_a_class_holds_the_clients_its_methods_bind_to_self(tmp_path: Path):
    _, calls = scanned_tree(tmp_path / "src", CLASS_INSTANCES)
    assert calls == [
        ("app/gmail_client.py", 20, "gmail.users.labels.list"), ("app/main.py", 6, "gmail.users.drafts.list"),
        ("app/main.py", 8, "drive.files.list"), ("app/main.py", 10, "tasks.tasklists.list"),
        ("app/main.py", 19, "gmail.users.threads.list"),
        ("web/app.ts", 4, "gmail.users.labels.list"), ("web/app.ts", 6, "drive.files.list"),
        ("web/app.ts", 8, "tasks.tasklists.list"), ("web/app.ts", 13, "gmail.users.threads.list")]


DOTTED_IMPORTS = {
    # A module imported by its dotted path is read by it: its constants, clients, factories
    # and classes (`app.clients.service`); another object's field of the same name is not.
    "app/config.py": 'API_NAME = "gmail"\nAPI_VERSION = "v1"\n',
    "app/clients.py": '''\
from googleapiclient.discovery import build

service = build("drive", "v3")

def get_service(creds):
    return build("tasks", "v1", credentials=creds)

class GmailClient:
    def __init__(self, creds):
        self.service = build("gmail", "v1", credentials=creds)
''',
    "app/main.py": '''\
import app.config
import app.clients
from googleapiclient.discovery import build

mail = build(app.config.API_NAME, app.config.API_VERSION)
mail.users().labels().list(userId="me").execute()
app.clients.service.files().list().execute()
tasks = app.clients.get_service(None)
tasks.tasklists().list().execute()
client = app.clients.GmailClient(None)
client.service.users().drafts().list(userId="me").execute()
other.clients.service.files().get(fileId="x").execute()
''',
}


def test_a_module_imported_by_its_dotted_path_is_read_by_it(tmp_path: Path):
    scan, calls = scanned_tree(tmp_path / "src", DOTTED_IMPORTS)
    assert calls == [
        ("app/main.py", 6, "gmail.users.labels.list"), ("app/main.py", 7, "drive.files.list"),
        ("app/main.py", 9, "tasks.tasklists.list"), ("app/main.py", 11, "gmail.users.drafts.list")]
    assert scan.unresolved == ()


INHERITED_CLASSES = {
    # A class binds a client to its instances; classes that extend it, in the same file or
    # another (by name, on its module, beside a mixin, as a generic), read it on `self` or
    # `this` and hold it in their instances, down a line of classes and across files. A
    # subclass's own client takes the place of the inherited one; an attribute two bases
    # give clients of different APIs is left out; `class Base(Base)` extends the import.
    "app/base.py": '''\
from googleapiclient.discovery import build

class GoogleBase:
    def __init__(self, creds):
        self.service = build("drive", "v3", credentials=creds)

class MailBase:
    def __init__(self, creds):
        self.service = build("gmail", "v1", credentials=creds)
        self.tasks = build("tasks", "v1", credentials=creds)

class Local(MailBase):
    def labels(self):
        return self.service.users().labels().list(userId="me").execute()

local = Local(None)
local.tasks.tasklists().list().execute()
''',
    "app/sync.py": '''\
import typing
from googleapiclient.discovery import build
from app.base import GoogleBase, MailBase
import app.base as base

class Mixin:
    pass

class DriveSync(Mixin, GoogleBase, metaclass=typing.Protocol):
    def files(self):
        return self.service.files().list(pageSize=10).execute()

class Deeper(DriveSync):
    pass

class Mail(base.MailBase):
    def drafts(self):
        return self.service.users().drafts().list(userId="me").execute()

class Both(GoogleBase, MailBase):
    def either(self):
        return self.tasks.tasklists().list().execute()

class Own(MailBase):
    def __init__(self, creds):
        self.tasks = build("sheets", "v4", credentials=creds)
''',
    "app/main.py": '''\
from app.sync import Deeper, Both, Own
from app.base import GoogleBase

class GoogleBase(GoogleBase):
    pass

deeper = Deeper(None)
deeper.service.files().get(fileId="x").execute()
both = Both(None)
both.service.files().copy(fileId="x").execute()
own = Own(None)
own.tasks.spreadsheets().get(spreadsheetId="x").execute()
mine = GoogleBase(None)
mine.service.files().delete(fileId="x").execute()
''',
    "web/base.ts": '''\
import {google} from 'googleapis';
export class Base<T> {
  constructor(auth) { this.gmail = google.gmail({version: 'v1', auth}); }
}
''',
    "web/mail.ts": '''\
import * as clients from './base';
export class Mail<T> extends clients.Base<T> {
  labels() { return this.gmail.users.labels.list({userId: 'me'}); }
}
''',
    "web/app.ts": '''\
import {Mail} from './mail';
const mail = new Mail(auth);
mail.gmail.users.drafts.list({userId: 'me'});
''',
}


def test_a_class_inherits_the_clients_the_classes_it_extends_bind(tmp_path: Path):
    _, calls = scanned_tree(tmp_path / "src", INHERITED_CLASSES)
    assert calls == [
        ("app/base.py", 14, "gmail.users.labels.list"), ("app/base.py", 17, "tasks.tasklists.list"),
        ("app/main.py", 8, "drive.files.get"), ("app/main.py", 12, "sheets.spreadsheets.get"),
        ("app/main.py", 14, "drive.files.delete"),
        ("app/sync.py", 11, "drive.files.list"), ("app/sync.py", 18, "gmail.users.drafts.list"),
        ("app/sync.py", 22, "tasks.tasklists.list"),
        ("web/app.ts", 3, "gmail.users.drafts.list"), ("web/mail.ts", 3, "gmail.users.labels.list")]


ATTRIBUTES_OF_TWO_CLASSES = [
    # Two classes give `self.service` / `this.client` clients of different APIs; the second
    # binds it below the method that reads it: the method reads its own class's client, not
    # the one bound last above it.
    ('''\
from googleapiclient.discovery import build
class Mail:
    def __init__(self):
        self.service = build("gmail", "v1")
class Files:
    def names(self):
        return self.service.files().list().execute()
    def __init__(self):
        self.service = build("drive", "v3")
''', PYTHON, [(7, "drive.files.list")]),
    ("""\
class Mail {
  constructor() { this.client = google.gmail({version: 'v1'}); }
}
class Files {
  names() { return this.client.files.list(); }
  constructor() { this.client = google.drive({version: 'v3'}); }
}
""", JAVASCRIPT, [(5, "drive.files.list")]),
]


@pytest.mark.parametrize("text, syntax, calls", ATTRIBUTES_OF_TWO_CLASSES)
def test_a_method_reads_the_attribute_its_own_class_binds(finder, text: str, syntax, calls):
    assert _found(finder, text, syntax)[0] == calls


LINES_OF_CLASSES = {
    # Each class extends the one above and binds a client of its own; an instance of each.
    "python": ("from googleapiclient.discovery import build\nclass C0:\n    pass\n",
               "class C{index}(C{previous}):\n    def __init__(self):\n        self.s{index} = build('gmail', 'v1')\n",
               "c{index} = C{index}()\nc{index}.s{index}.users().labels().list(userId='me')\n"),
    "javascript": ("class C0 {}\n",
                   "class C{index} extends C{previous} {{\n"
                   "  constructor() {{ super(); this.s{index} = google.gmail({{version: 'v1'}}); }}\n}}\n",
                   "const c{index} = new C{index}();\nc{index}.s{index}.users.labels.list({{userId: 'me'}});\n"),
}


CLASSES_AND_INSTANCES = {
    "python": ("from googleapiclient.discovery import build\n",
               "class C{index}:\n    def __init__(self):\n        self.service = build('gmail', 'v1')\n",
               "c{index} = C{index}()\nc{index}.service.users().labels().list(userId='me')\n"),
    "javascript": ("",
                   "class C{index} extends B {{\n"
                   "  f() {{ if (x) {{ this.service = google.gmail({{version: 'v1'}}); }} }}\n}}\n",
                   "const c{index} = new C{index}();\nc{index}.service.users.labels.list({{userId: 'me'}});\n"),
}


@pytest.mark.parametrize("table, language", [(table, language) for table in ("instances", "line")
                                             for language in ("javascript", "python")])
def test_instances_of_classes_are_followed_in_linear_work(finder, table: str, language: str):
    # Also down a line of classes, each extending the one above: each inherits every
    # attribute above it (up to a bound); without the bound, the attributes copied down the
    # line grow with the square of its length.
    head, defined, used = (CLASSES_AND_INSTANCES if table == "instances" else LINES_OF_CLASSES)[language]
    syntax = PYTHON if language == "python" else JAVASCRIPT

    def text(count: int) -> str:
        return (head + "".join(defined.format(index=index, previous=index - 1) for index in range(1, count + 1))
                + "".join(used.format(index=index) for index in range(1, count + 1)))

    assert len(_found(finder, text(100), syntax)[0]) == 100
    small, large = (lines_run(lambda count=count: _found(finder, text(count), syntax)) for count in (300, 600))
    assert large <= 2.2 * small


def test_the_work_of_a_file_does_not_grow_with_the_other_files_factories_and_clients(finder):
    # A file is scanned again for every round that finds new factories: the tables of the
    # others' factories and clients are looked up, never copied or gone through per file.
    text = ("import app.m1 as mod\nservice = get_service_1()\nservice.users().labels().list(userId='me')\n"
            "mod.service.users().drafts().list(userId='me')\n")

    def tables(count: int):
        return ({f"get_service_{index}": ("gmail", "v1") for index in range(count)},
                module_table([(f"app/m{index}.py", ClientFactory("python", "service", "gmail", "v1", "client"))
                              for index in range(count)], "python"))

    def run(known) -> int:
        return len(finder.find_all("f", lex(text, PYTHON), "python", False, *known).calls)

    small_tables, large_tables = tables(1000), tables(2000)
    assert run(small_tables) == 2  # the first file of each round's tables, not counted
    small = lines_run(lambda: run(small_tables))
    assert run(large_tables) == 2
    large = lines_run(lambda: run(large_tables))
    assert large <= 1.1 * small


@pytest.fixture(scope="module")
def scanner():
    from auditor.scan.files import FileScanner

    return FileScanner(ScopeCatalog.load())


@pytest.mark.parametrize("count", [3, 1000], ids=["few", "many"])
def test_a_file_scans_again_when_it_mentions_all_the_words_of_a_new_factory_or_client(scanner, count):
    words = frozenset({("service", "client"), ("get_gmail", "gmail-client"), ("获取", "mail")}
                      | {("service", f"m{index}") for index in range(count)})
    assert [scanner._mentions(raw, words) for raw in (
        b"from app import client\nclient.service.users()\n", b"import m2\nm2.service.files()\n",
        b"from gmail-client import get_gmail\n", "from mail import 获取\n".encode(),
        b"from app import client\n", b"m2 = 2\n")] == [True, True, True, True, False, False]


def test_which_files_scan_again_is_decided_in_work_that_does_not_grow_with_the_words(scanner):
    # Most module clients are named `service`: a file that reads the `service` of a module
    # none of them is is not checked against every module's.
    raw = b"from app import other\nother.service.users().labels().list(userId='me')\n"
    small_words, large_words = (frozenset(("service", f"m{index}") for index in range(count)) for count in (1000, 2000))

    def run(words) -> bool:
        return any(scanner._mentions(raw, words) for _ in range(20))

    assert not run(small_words)  # first use of the words, not counted
    small = lines_run(lambda: run(small_words))
    assert not run(large_words)
    large = lines_run(lambda: run(large_words))
    assert large <= 1.1 * small
