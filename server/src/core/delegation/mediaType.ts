/**
 * The delegation protocol's media type and the headers of its POST (Delegation 5.3, SCR
 * DM-DEL-S-007): a message is sent as application/vnd.dm.delegation+xml, and its synchronous
 * answer comes back as the same type, which the request accepts.
 */
export const DELEGATION_MEDIA_TYPE = 'application/vnd.dm.delegation+xml';

/** The headers of a delegation message's POST (header names in lower case). */
export const DELEGATION_POST_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': DELEGATION_MEDIA_TYPE, accept: DELEGATION_MEDIA_TYPE });
