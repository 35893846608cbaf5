# frozen_string_literal: true

require "base64"
require "cgi"
require "openssl"
require "time"

# The vectors real Rails 6.1 to 8.1 wrote (spec/fixtures/vectors, a copy of ../shared/vectors).
module Vectors
  DIR = File.expand_path("../fixtures/vectors", __dir__)
  RAILSESS_ERRORS = {
    "ActiveSupport::MessageEncryptor::InvalidMessage" => "Railsess::MessageEncryptor::InvalidMessage",
    "ActiveSupport::MessageVerifier::InvalidSignature" => "Railsess::MessageVerifier::InvalidSignature"
  }.freeze

  # `expect` helpers shared by the vector specs.
  module Expectations
    # The vector's expected outcome: a value, nil, or the exception Rails raised.
    def expect_outcome(expected, label, &read)
      if expected.key?("error")
        expect(&read).to raise_error(Vectors.error_class(expected["error"])), label
      elsif expected["nil"]
        expect(read.call).to be_nil, label
      else
        expect(read.call).to eq(expected["value"]), label
      end
    end
  end

  module_function

  def files
    @files ||= Dir[File.join(DIR, "rails-*.json")].map { |path| JSON.parse(File.read(path)) }
  end

  # [rails version ("6.1" ... "8.1"), vector] for every vector of `kind`.
  def of_kind(kind)
    files.flat_map do |file|
      version = file["rails"].split(".").first(2).join(".")
      file["vectors"].select { |v| v["kind"] == kind }.map { |v| [version, v] }
    end
  end

  def serializer(name)
    case name
    when "json" then ::JSON
    when "marshal" then ::Marshal
    when /\A:(.+)\z/ then Regexp.last_match(1).to_sym
    else raise ArgumentError, "unknown serializer #{name}"
    end
  end

  # The class Rails raised, or railsess' own twin when ActiveSupport is not loaded.
  def error_class(name)
    name = RAILSESS_ERRORS.fetch(name) unless defined?(::ActiveSupport::MessageEncryptor)
    Object.const_get(name)
  end

  def unhex(hex)
    hex && [hex].pack("H*")
  end

  def time(iso)
    iso && Time.iso8601(iso)
  end

  def b64decode(part, url_safe)
    url_safe ? Base64.urlsafe_decode64(part) : Base64.strict_decode64(part)
  end

  # The plaintext of an encrypted message, with OpenSSL alone (independent of railsess):
  # what Rails actually encrypted. Parts are cut from the right by their encoded lengths.
  def raw_decrypt(message, cipher:, secret:, url_safe: false)
    if cipher == "aes-256-gcm"
      ct, iv, tag = cut_right(message, [16, url_safe ? 22 : 24])
      c = OpenSSL::Cipher.new("aes-256-gcm").decrypt
      c.key = secret
      c.iv = b64decode(iv, url_safe)
      c.auth_tag = b64decode(tag, url_safe)
      c.auth_data = ""
    else
      signed, _digest = message.split(/--(?=[0-9a-f]+\z)/)
      inner = b64decode(signed, url_safe)
      ct, iv = cut_right(inner, [url_safe ? 22 : 24])
      c = OpenSSL::Cipher.new("aes-256-cbc").decrypt
      c.key = secret
      c.iv = b64decode(iv, url_safe)
    end
    c.update(b64decode(ct, url_safe)) + c.final
  end

  # "a--b--c" with known lengths for the last parts (rightmost last in `lengths`).
  def cut_right(message, lengths)
    parts = []
    rest = message
    lengths.reverse_each do |len|
      parts.unshift(rest[-len..])
      rest = rest[0...-(len + 2)]
    end
    [rest, *parts]
  end

  # --- cookie jars (ActionDispatch::Cookies, as the vectors' config describes them) -----------

  def key_generator(config)
    digest = config["key_generator_hash_digest_class"] == "SHA256" ? OpenSSL::Digest::SHA256 : OpenSSL::Digest::SHA1
    Railsess::CachingKeyGenerator.new(
      Railsess::KeyGenerator.new(config["secret_key_base"], iterations: config["iterations"],
                                                            hash_digest_class: digest)
    )
  end

  def cookie_reader(config, jar, rails_version)
    keys = key_generator(config)
    salts = config["salts"]
    null = Railsess::MessageEncryptor::NullSerializer
    if jar == "signed"
      return Railsess::MessageVerifier.new(keys.generate_key(salts["signed_cookie_salt"]),
                                           digest: config["signed_cookie_digest"] || "SHA1",
                                           serializer: null, rails_version: rails_version)
    end
    if config["use_authenticated_cookie_encryption"]
      Railsess::MessageEncryptor.new(keys.generate_key(salts["authenticated_encrypted_cookie_salt"], 32),
                                     cipher: "aes-256-gcm", serializer: null, rails_version: rails_version)
    else
      Railsess::MessageEncryptor.new(keys.generate_key(salts["encrypted_cookie_salt"], 32),
                                     keys.generate_key(salts["encrypted_signed_cookie_salt"]),
                                     cipher: "aes-256-cbc", serializer: null, rails_version: rails_version)
    end
  end

  # A cookie jar read: purposed first, then (old cookies) without purpose; then the cookie serializer.
  def read_cookie(reader, name, escaped_value, serializer)
    value = CGI.unescape(escaped_value)
    read = lambda { |purpose|
      if reader.is_a?(Railsess::MessageVerifier)
        reader.verified(value,
                        purpose: purpose)
      else
        reader.decrypt_and_verify(value,
                                  purpose: purpose)
      end
    }
    data = read.call("cookie.#{name}") || read.call(nil)
    data && deserialize_cookie(data, serializer)
  end

  def deserialize_cookie(data, serializer)
    marshal = data.start_with?("\x04\x08".b)
    case serializer
    when "marshal" then Marshal.load(data) # rubocop:disable Security/MarshalLoad
    when "hybrid" then marshal ? Marshal.load(data) : JSON.parse(data) # rubocop:disable Security/MarshalLoad
    else JSON.parse(data)
    end
  end
end
