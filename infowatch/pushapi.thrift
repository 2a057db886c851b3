// InfoWatch Traffic Monitor push API, interface version 1.
//
// RECONSTRUCTED: no vendor reference is public. This definition was rebuilt from the wire behaviour of the one
// public client (a Thrift 0.11 Python client); method names, field ids, field types and exception positions match
// it, so it talks to a real Traffic Monitor. Replace this file with the vendor's own IDL when you have it, then
// regenerate the Java code (infowatch/generate.sh).
//
// Transport: TFramedTransport over TLS, TBinaryProtocol (port 9101 in examples).

namespace java dev.plumber.infowatch.thrift

const i32 pushapi_version = 1

enum EventClass {
  kChat = 0,
  kEmail = 1,
  kMfp = 2,
  kWeb = 3,
  kFileExchange = 4,
  kPhoto = 5,
  kMultimedia = 6,
  kVoiceTalk = 7
}

enum IdentityItemType {
  kPerson = 0,
  kWorkstation = 1,
  kDevice = 2,
  kResource = 3
}

// A name/value pair: event attributes (capture_ts, capture_server_ip, capture_server_fqdn, object headers), data
// attributes (filename, mimetype, data_size, ...) and contacts (contact type -> value: email, ip, auth, ...).
struct Attribute {
  1: required string name,
  2: required string value
}

struct ContactWithMeta {
  1: required Attribute contact,
  2: optional string meta
}

struct Identity {
  1: required i32 identity_id,
  2: required i32 identity_type,
  3: required list<Attribute> identity_contacts,
  4: optional list<Attribute> identity_attributes,
  5: optional list<ContactWithMeta> identity_contacts_with_meta
}

// One data item of an event; its bytes are sent as a stream against data_id.
struct EventData {
  1: required i32 data_id,
  2: optional list<Attribute> data_attributes
}

// sent_time is YYYY-MM-DDThh:mm:ss+hh:mm; sender_id is the identity_id of one of the event's senders.
struct ChatMessage {
  1: required i32 sender_id,
  2: required string sent_time,
  3: required string utf8_text,
  4: optional i32 mes_data_id
}

struct ItemLink {
  1: required i32 id,
  2: required i32 link_to_id,
  3: required string link_name
}

struct Event {
  1: required i32 evt_class,
  2: required string evt_service,
  3: optional list<Attribute> evt_attributes,
  4: required list<Identity> evt_senders,
  5: required list<Identity> evt_receivers,
  6: required list<EventData> evt_data,
  7: optional list<ItemLink> evt_links,
  8: optional list<ChatMessage> evt_messages,
  9: optional Identity evt_source,
  10: optional Identity evt_destination
}

struct Credentials {
  1: optional string company_name,
  2: optional string token
}

exception InvalidCredentials {
  1: string message
}

exception InvalidEventFormat {
  1: string message
}

exception LicenseError {
  1: string message
}

exception EventNotFound {
  1: string message
}

exception DataNotFound {
  1: string message
}

exception StreamNotFound {
  1: string message
}

service EventProcessor {
  i32 GetVersion(),

  void VerifyCredentials(1: Credentials cred)
    throws (1: InvalidCredentials invalid_credentials),

  i64 BeginEvent(1: Event event, 2: Credentials cred)
    throws (1: InvalidEventFormat invalid_event_format,
            2: InvalidCredentials invalid_credentials,
            3: LicenseError license_error,
            4: EventNotFound event_not_found,
            5: DataNotFound data_not_found),

  i64 BeginStream(1: i64 event_id, 2: i32 object_data_id)
    throws (1: EventNotFound event_not_found,
            2: DataNotFound data_not_found),

  void SendStreamData(1: i64 event_id, 2: i64 stream_id, 3: binary chunk)
    throws (1: EventNotFound event_not_found,
            2: StreamNotFound stream_not_found,
            3: InvalidEventFormat invalid_event_format),

  void EndStream(1: i64 event_id, 2: i64 stream_id)
    throws (1: EventNotFound event_not_found,
            2: StreamNotFound stream_not_found,
            3: InvalidEventFormat invalid_event_format),

  string GetEventDatabaseId(1: i64 event_id)
    throws (1: EventNotFound event_not_found),

  void EndEvent(1: i64 event_id, 2: bool abort)
    throws (1: EventNotFound event_not_found,
            2: InvalidEventFormat invalid_event_format,
            3: LicenseError license_error)
}
