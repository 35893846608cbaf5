# frozen_string_literal: true

# Every message shape a Rails 7.1+ app writes, Railsess vs ActiveSupport side by side: the read
# (decrypt_and_verify / verified) and the write (encrypt_and_sign / generate) of each.
#
#   ruby -Ilib bench/rails_messages.rb
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/rails_messages.rb
#
# Keys as a Rails 7.0+ app derives them (KeyGenerator with SHA256, iterations: 1000; SHA1 on
# ActiveSupport 6.1, which has no hash_digest_class). The ~300 B Devise session is the value.
# The shapes (`use_message_serializer_for_metadata` as `load_defaults 7.1`+ sets it, except where
# named legacy):
#
# * `gcm 7.1+ purpose`: MessageEncryptor (serializer JSON) with a purpose, the metadata in the
#   serializer's JSON: `Rails.application.message_encryptor`, encrypted values;
# * `gcm 7.1+ purpose+expiry`: the same with `expires_at`;
# * `gcm legacy envelope purpose+expiry`: `use_message_serializer_for_metadata = false` (7.0 defaults,
#   what 7.1+ reads from before the switch): `{"_rails":{"message":base64(JSON),"exp":..,"pur":..}}`;
# * `gcm cookie jar purpose`: the encrypted cookie jar and the cookie session store. The jar
#   serializes the value itself and gives the encryptor NullSerializer, so even on 7.1+ the message
#   is the legacy envelope around the jar's JSON string, purpose `cookie._myapp_session`;
# * `gcm cookie jar purpose+expiry`: the same for a cookie with `expires:` (a session with `expire_after`);
# * `cbc-sha1 cookie jar purpose`: the pre-5.2 encrypted cookie (aes-256-cbc + HMAC-SHA1), read when
#   rotating old cookies;
# * `signed cookie jar purpose`: `cookies.signed`, MessageVerifier SHA1, NullSerializer, the jar's JSON;
# * `verifier SHA256 7.1+ purpose` / `purpose+expiry`: `Rails.application.message_verifier(...)`,
#   `generates_token_for`, signed ids (serializer JSON).
#
# Shapes that need ActiveSupport 7.1+ are skipped on older ActiveSupport. Before timing, each side
# reads the other's message to the same value, and both agree on a wrong purpose (nil).

require_relative "support"

module RailsMessagesBench
  PURPOSE = "cookie._myapp_session"
  EXPIRES_AT = Time.utc(2033, 5, 18, 3, 33, 20)
  METADATA = ActiveSupport::Messages::Metadata

  # One shape: how both sides are built, what they carry and how they are called.
  Shape = Struct.new(:name, :kind, :modern, :build, :value, :meta, keyword_init: true)

  module_function

  def modern_supported? = METADATA.respond_to?(:use_message_serializer_for_metadata=)

  # use_message_serializer_for_metadata as the shape needs it, for the block (AS 7.1+ only).
  def with_metadata_form(modern)
    return yield unless modern_supported?

    saved = METADATA.use_message_serializer_for_metadata
    METADATA.use_message_serializer_for_metadata = modern
    Railsess.use_message_serializer_for_metadata = modern if Railsess.respond_to?(:use_message_serializer_for_metadata=)
    yield
  ensure
    if modern_supported?
      METADATA.use_message_serializer_for_metadata = saved
      Railsess.use_message_serializer_for_metadata = nil if Railsess.respond_to?(:use_message_serializer_for_metadata=)
    end
  end

  def key_generator
    options = { iterations: 1000 }
    options[:hash_digest_class] = OpenSSL::Digest::SHA256 if ActiveSupport::VERSION::MAJOR >= 7
    ActiveSupport::KeyGenerator.new(RailsessBench::SECRET_KEY_BASE, **options)
  end

  def encryptors(cipher, serializer)
    keys = key_generator
    if cipher == "aes-256-gcm"
      args = [keys.generate_key("authenticated encrypted cookie", 32)]
      options = { cipher: cipher, serializer: serializer }
    else
      args = [keys.generate_key("encrypted cookie", 32), keys.generate_key("signed encrypted cookie")]
      options = { cipher: cipher, digest: "SHA1", serializer: serializer }
    end
    [ActiveSupport::MessageEncryptor.new(*args, **options), Railsess::MessageEncryptor.new(*args, **options)]
  end

  def verifiers(digest, serializer)
    secret = key_generator.generate_key("signed cookie")
    [ActiveSupport::MessageVerifier.new(secret, digest: digest, serializer: serializer),
     Railsess::MessageVerifier.new(secret, digest: digest, serializer: serializer)]
  end

  def null_serializer = ActiveSupport::MessageEncryptor::NullSerializer

  def shapes
    list = encryptor_shapes + verifier_shapes
    # Before 7.1 the "7.1+" forms do not exist (the jar forms are the same envelope everywhere).
    modern_supported? ? list : list.reject { |s| s.name.include?("7.1+") }
  end

  def session = RailsessBench.devise_session

  # What the cookie jar's JSON serializer hands the encryptor or verifier.
  def jar_json = ::JSON.generate(session)

  def purpose = { purpose: PURPOSE }

  def expiring = { purpose: PURPOSE, expires_at: EXPIRES_AT }

  def encryptor_shapes
    gcm_json = -> { encryptors("aes-256-gcm", JSON) }
    gcm_null = -> { encryptors("aes-256-gcm", null_serializer) }
    cbc_null = -> { encryptors("aes-256-cbc", null_serializer) }
    [["gcm 7.1+ purpose", true, gcm_json, session, purpose],
     ["gcm 7.1+ purpose+expiry", true, gcm_json, session, expiring],
     ["gcm legacy envelope purpose+expiry", false, gcm_json, session, expiring],
     ["gcm cookie jar purpose", true, gcm_null, jar_json, purpose],
     ["gcm cookie jar purpose+expiry", true, gcm_null, jar_json, expiring],
     ["cbc-sha1 cookie jar purpose", true, cbc_null, jar_json, purpose]].map do |name, modern, build, value, meta|
      Shape.new(name: name, kind: :encryptor, modern: modern, build: build, value: value, meta: meta)
    end
  end

  def verifier_shapes
    sha256_json = -> { verifiers("SHA256", JSON) }
    [["signed cookie jar purpose", -> { verifiers("SHA1", null_serializer) }, jar_json, purpose],
     ["verifier SHA256 7.1+ purpose", sha256_json, session, purpose],
     ["verifier SHA256 7.1+ purpose+expiry", sha256_json, session, expiring]].map do |name, build, value, meta|
      Shape.new(name: name, kind: :verifier, modern: true, build: build, value: value, meta: meta)
    end
  end

  OPS = {
    encryptor: [%i[decrypt_and_verify encrypt_and_sign], "decrypt_and_verify", "encrypt_and_sign"],
    verifier: [%i[verified generate], "verified", "generate"]
  }.freeze

  def check(shape, as_side, rs_side)
    read, write = OPS.fetch(shape.kind).first
    as_msg = as_side.public_send(write, shape.value, **shape.meta)
    rs_msg = rs_side.public_send(write, shape.value, **shape.meta)
    expected = shape.value.is_a?(String) ? shape.value : ::JSON.parse(::JSON.generate(shape.value))
    RailsessBench.assert_same!("#{shape.name}: verifier tokens", as_msg, rs_msg) if shape.kind == :verifier
    [[as_side, rs_msg, "ActiveSupport reading railsess'"], [rs_side, as_msg, "railsess reading ActiveSupport's"],
     [as_side, as_msg, "ActiveSupport reading its own"], [rs_side, rs_msg, "railsess reading its own"]]
      .each do |side, msg, what|
      RailsessBench.assert_same!("#{shape.name}: #{what}", expected, side.public_send(read, msg, purpose: PURPOSE))
    end
    RailsessBench.assert_same!("#{shape.name}: a wrong purpose", as_side.public_send(read, rs_msg, purpose: "other"),
                               rs_side.public_send(read, as_msg, purpose: "other"))
    [as_msg, rs_msg]
  end

  def bench(shape)
    with_metadata_form(shape.modern) do
      as_side, rs_side = shape.build.call
      as_msg, rs_msg = check(shape, as_side, rs_side)
      (read, write), read_label, write_label = OPS.fetch(shape.kind)
      RailsessBench.compare("#{read_label} #{shape.name}") do |x|
        x.report("activesupport #{read_label}") { as_side.public_send(read, as_msg, purpose: PURPOSE) }
        x.report("railsess #{read_label}") { rs_side.public_send(read, rs_msg, purpose: PURPOSE) }
      end
      RailsessBench.compare("#{write_label} #{shape.name}") do |x|
        x.report("activesupport #{write_label}") { as_side.public_send(write, shape.value, **shape.meta) }
        x.report("railsess #{write_label}") { rs_side.public_send(write, shape.value, **shape.meta) }
      end
    end
  end

  def run
    shapes.each { |shape| bench(shape) }
    RailsessBench.finish("rails_messages")
  end
end

RailsMessagesBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
