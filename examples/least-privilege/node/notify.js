// Sends the weekly report notice from the user's own address.
const { google } = require('googleapis');

async function sendNotice(auth, raw) {
  const gmail = google.gmail({ version: 'v1', auth });
  // Reading the mailbox is not needed: gmail.users.messages.list would be.
  return gmail.users.messages.send({ userId: 'me', requestBody: { raw } });
}

module.exports = { sendNotice };
