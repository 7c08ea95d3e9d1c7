// The person the local SAML IdP signs in by default and the attributes it releases.
// Tests post their own userName (the persistent NameID) and email on its sign-in form.
module.exports = {
  user: {
    userName: 'sub-person',
    nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    email: 'person@example.test',
    displayName: 'Test Person',
  },
  metadata: [
    { id: 'email', optional: false, displayName: 'E-Mail Address', description: 'Email', multiValue: false },
    { id: 'displayName', optional: true, displayName: 'Display Name', description: 'Name', multiValue: false },
  ],
};
