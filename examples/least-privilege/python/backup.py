"""Copies a report into the user's Drive and lists the copies made so far."""

from googleapiclient.discovery import build
from googleapiclient.http import MediaFileUpload


def upload_report(credentials, path: str) -> str:
    drive = build("drive", "v3", credentials=credentials)
    media = MediaFileUpload(path, mimetype="text/csv")
    created = drive.files().create(body={"name": "weekly-report.csv"}, media_body=media, fields="id").execute()
    return created["id"]


def list_reports(credentials) -> list[dict]:
    drive = build("drive", "v3", credentials=credentials)
    # Only the files this app created: drive.file reaches exactly those.
    response = drive.files().list(q="name contains 'weekly-report'", fields="files(id, name)").execute()
    return response.get("files", [])
