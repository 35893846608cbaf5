# frozen_string_literal: true

require "base64"
require "digest"
require "openssl"
require "securerandom"

# Helpers for the compat_spec.rb and bad_input_spec.rb files (kind: :compat / :bad_input), which compare railsess
# with the real ActiveSupport for the same input. Nothing here touches ActiveSupport at load time,
# so the suite still loads with RAILSESS_WITHOUT_ACTIVE_SUPPORT=1 (those groups are tagged
# :active_support and filtered out then).
module CompatHelpers
  # Fixed key material: 32-byte encryption keys and 64-byte signing secrets.
  KEY = "railsess-compat-key-#{'k' * 12}".b.freeze
  OLD_KEY = "railsess-compat-old-#{'o' * 12}".b.freeze
  OTHER_KEY = "railsess-compat-bad-#{'x' * 12}".b.freeze
  SIGN_SECRET = "railsess-compat-sign-secret-#{'s' * 36}".b.freeze
  OLD_SIGN_SECRET = "railsess-compat-old-sign-sec-#{'t' * 35}".b.freeze
  OTHER_SIGN_SECRET = "railsess-compat-bad-sign-sec-#{'u' * 35}".b.freeze
  VERIFIER_SECRET = "railsess compat verifier secret, not very random at all"
  OLD_VERIFIER_SECRET = "railsess compat OLD verifier secret"

  # Deterministic "random" bytes, so a failure reproduces.
  BINARY = Random.new(20_240_601).bytes(257).freeze
  LONG_STRING = ("railsess ü€ " * 400)[0, 4096].freeze

  # One entry per encryptor configuration under test: [label, positional args, options].
  ENCRYPTOR_CONFIGS = [
    ["aes-256-gcm", [KEY], { cipher: "aes-256-gcm" }],
    ["aes-256-cbc, no sign_secret, SHA1", [KEY], { cipher: "aes-256-cbc" }],
    ["aes-256-cbc, sign_secret, SHA1", [KEY, SIGN_SECRET], { cipher: "aes-256-cbc", digest: "SHA1" }],
    ["aes-256-cbc, no sign_secret, SHA256", [KEY], { cipher: "aes-256-cbc", digest: "SHA256" }],
    ["aes-256-cbc, sign_secret, SHA256", [KEY, SIGN_SECRET], { cipher: "aes-256-cbc", digest: "SHA256" }],
    ["aes-256-cbc, no sign_secret, SHA512", [KEY], { cipher: "aes-256-cbc", digest: "SHA512" }],
    ["aes-256-cbc, sign_secret, SHA512", [KEY, SIGN_SECRET], { cipher: "aes-256-cbc", digest: "SHA512" }]
  ].freeze

  VERIFIER_DIGESTS = %w[SHA1 SHA256 SHA384 SHA512 MD5].freeze

  # Serializers by label; resolved lazily because ActiveSupport may not be loaded.
  # ActiveSupport::JSON is not here: ActiveSupport 6.1's has no dump/load, so it cannot round-trip
  # anything; it has its own examples (what each side raises, and reads).
  SERIALIZERS = {
    "Marshal" => -> { ::Marshal },
    "::JSON" => -> { ::JSON },
    "NullSerializer" => -> { ::ActiveSupport::MessageEncryptor::NullSerializer }
  }.freeze

  # Metadata options for writing, and the purpose to read them back with.
  METADATA = [
    ["no metadata", {}, nil],
    ["purpose nil", { purpose: nil }, nil],
    ['purpose "login"', { purpose: "login" }, "login"],
    ["purpose :login", { purpose: :login }, :login],
    ["expires_at (future)", { expires_at: -> { Time.now + 3600 } }, nil],
    ["expires_in 3600", { expires_in: 3600 }, nil],
    ['purpose "login" + expires_in', { purpose: "login", expires_in: 60 }, "login"]
  ].freeze

  module_function

  # Payloads a serializer can carry (NullSerializer: strings only; JSON: JSON-able values).
  def payloads(serializer_label)
    return string_payloads.merge("binary bytes" => BINARY.dup) if serializer_label == "NullSerializer"
    return json_payloads unless serializer_label == "Marshal"

    json_payloads.merge(
      "binary bytes" => BINARY.dup,
      "symbol keys" => { id: 1, name: :sym, at: Time.at(1_700_000_000, 123_456, :usec).utc },
      "range and set" => [1..3, "x".encode("UTF-16LE")]
    )
  end

  def string_payloads
    {
      "ascii" => "hello, world",
      "unicode" => "ü€😀 \u2028 <a href='x'>&amp;</a>",
      "rtl" => "שלום עולם مرحبا بالعالم",
      "empty string" => "",
      "4 KB string" => LONG_STRING
    }
  end

  def json_payloads
    string_payloads.merge(
      "empty hash" => {},
      "empty array" => [],
      "nested" => { "user" => { "id" => 42, "roles" => %w[admin ü], "flags" => { "a" => [1, [2, [3]]] } },
                    "list" => [{ "x" => nil }, true, false, 1.5] },
      "integer" => 123_456_789,
      "big integer" => 2**70,
      "negative" => -7,
      "float" => 0.1 + 0.2,
      "nil" => nil,
      "true" => true,
      "false" => false
    )
  end

  def serializer(label)
    SERIALIZERS.fetch(label).call
  end

  # Resolves lazily-computed option values (expires_at must be computed per call).
  def realize(options)
    options.transform_values { |v| v.respond_to?(:call) ? v.call : v }
  end

  # [:ok, value-description] or [:error, class]. Railsess' own InvalidMessage/InvalidSignature
  # (subclasses of ActiveSupport's) are mapped to their nearest ActiveSupport ancestor; every other
  # class must match exactly.
  def outcome
    value = yield
    [:ok, describe(value)]
  rescue Exception => e # rubocop:disable Lint/RescueException
    [:error, public_error_class(e.class)]
  end

  # Like `outcome`, but keeps the raw value (a message to read back).
  def attempt
    [:ok, yield]
  rescue Exception => e # rubocop:disable Lint/RescueException
    [:error, public_error_class(e.class)]
  end

  # ActiveSupport 6.1 computes `expires_in` with Time#advance, which only exists once
  # active_support/core_ext/time is loaded (it always is in a Rails app, not in this suite). To
  # still get an ActiveSupport-written message, ask it for the equivalent `expires_at`. The
  # difference itself is covered in the bad_input specs.
  def as_write_options(options)
    return options unless options.key?(:expires_in) && !Time.method_defined?(:advance)

    options = options.dup
    options[:expires_at] = Time.now + options.delete(:expires_in)
    options
  end

  # Writes `value` with ActiveSupport's and railsess' object (`generate` / `encrypt_and_sign`):
  # [[status, message-or-error], [status, message-or-error]]. Where a side fails for want of
  # Time#advance (expires_in, see `as_write_options`), it writes the equivalent expires_at instead.
  def write_both(as_codec, rs_codec, method, value, write)
    [as_codec, rs_codec].map { |writer| write_one(writer, method, value, write) }
  end

  def write_one(writer, method, value, write)
    written = attempt { writer.public_send(method, value, **write) }
    if written == [:error, NoMethodError] && write.key?(:expires_in) && !Time.method_defined?(:advance)
      written = attempt { writer.public_send(method, value, **as_write_options(write)) }
    end
    written
  end

  # Whether two `write_both` results agree: both written, or the same error.
  def same_write?(as_written, rs_written)
    as_written.first == :ok ? rs_written.first == :ok : as_written == rs_written
  end

  def public_error_class(klass)
    railsess_errors = [::Railsess::MessageEncryptor::InvalidMessage, ::Railsess::MessageVerifier::InvalidSignature]
    return klass unless railsess_errors.any? { |r| klass <= r || klass <= r.raisable }

    klass = klass.superclass while klass.name.nil? || klass.name.start_with?("Railsess::")
    klass
  end

  # An encoding-aware description of a value: `==` alone would not see a String tagged
  # UTF-8 on one side and ASCII-8BIT on the other.
  def describe(value)
    dump = begin
      ::Digest::SHA256.hexdigest(Marshal.dump(value))[0, 16]
    rescue TypeError
      "(not dumpable)"
    end
    text = value.inspect
    text = "#{text[0, 120]}...(#{text.size} chars)" if text.size > 160
    encodings = string_encodings(value).uniq
    "#{text} #{encodings.inspect} marshal:#{dump}"
  end

  def string_encodings(value)
    case value
    when String then [value.encoding.name]
    when Array then value.flat_map { |v| string_encodings(v) }
    when Hash then value.flat_map { |k, v| string_encodings(k) + string_encodings(v) }
    else []
    end
  end

  # Runs `yield(input)` for every input, for ActiveSupport and railsess, and returns the inputs
  # whose outcomes differ (as readable rows), so one example reports every divergence at once.
  def divergences(inputs, as_object, railsess_object)
    inputs.each_with_object([]) do |(label, input), rows|
      expected = outcome { yield(as_object, input) }
      actual = outcome { yield(railsess_object, input) }
      rows << { input: label, active_support: expected, railsess: actual } unless expected == actual
    end
  end

  # A copy of `message` with the character at `index` changed to another one of the same kind
  # (base64 letter for a letter, hex digit for a hex digit, "_" for "-").
  def flip(message, index)
    copy = message.dup
    char = copy[index]
    copy[index] =
      case char
      when "A" then "B"
      when "a" then "b"
      when "0" then "1"
      when "-" then "_"
      when "=" then "A"
      else (char.ord ^ 1).chr
      end
    copy
  end

  # Every index for a short message, a spread of indices for a long one.
  def positions(message, max: 200)
    return (0...message.size).to_a if message.size <= max

    step = (message.size / max.to_f).ceil
    (0...message.size).step(step).to_a | (message.size - 8...message.size).to_a
  end

  def as_encryptor(args, options, **extra)
    ::ActiveSupport::MessageEncryptor.new(*args, **options, **extra)
  end

  def railsess_encryptor(args, options, **extra)
    ::Railsess::MessageEncryptor.new(*args, **options, **extra)
  end
end
