# frozen_string_literal: true

require "pp" # rubocop:disable Lint/RedundantRequireStatement -- pretty_inspect needs it loaded
require_relative "../support/compat_helpers"

# Key material must not show up in `inspect` (or `pp`, or `to_s`) of any railsess object, nor in
# the message of any error railsess raises. Runs with and without ActiveSupport.
RSpec.describe "Secrets stay out of inspect output and error messages", kind: :bad_input do
  include CompatHelpers

  # Distinctive secrets: printable ones (to catch raw inclusion) and random bytes (to catch
  # escaped, hex or base64 renderings).
  let(:key) { "RAILSESS-KEY-#{'K' * 19}".b }
  let(:random_key) { Random.new(42).bytes(32) }
  let(:sign_secret) { "RAILSESS-SIGN-SECRET-#{'S' * 43}".b }
  let(:verifier_secret) { "RAILSESS-VERIFIER-SECRET-#{'V' * 24}" }
  let(:base_secret) { "RAILSESS-SECRET-KEY-BASE-#{'B' * 39}" }

  # Every way a secret could be rendered.
  def renderings(secret)
    secret = secret.b
    hex = secret.unpack1("H*")
    base64 = [secret].pack("m0")
    [secret, secret.inspect[1..-2], secret.dump[1..-2], hex, hex.upcase, base64, base64.tr("+/", "-_"),
     base64.delete("=")].uniq.select { |form| form.bytesize >= 8 }
  end

  # The secret-revealing fragments (first 12 bytes of each rendering) found in `text`.
  def leaks(text, secrets)
    text = text.to_s.b
    secrets.flat_map { |secret| renderings(secret) }.select { |form| text.include?(form.b[0, 12]) }
  end

  def null_serializer
    Railsess::MessageEncryptor::NullSerializer
  end

  def objects
    generator = Railsess::KeyGenerator.new(base_secret, iterations: 2)
    caching = Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new(base_secret, iterations: 2))
    derived = [caching.generate_key("signed cookie"), caching.generate_key("authenticated encrypted cookie", 32)]
    list = encryptors.merge(verifiers)
    list["key generator"] = generator
    list["caching key generator (with cached keys)"] = caching
    [list, derived]
  end

  def encryptors
    gcm = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: null_serializer)
    gcm_random = Railsess::MessageEncryptor.new(random_key, cipher: "aes-256-gcm", serializer: null_serializer)
    cbc = Railsess::MessageEncryptor.new(key, sign_secret, cipher: "aes-256-cbc", digest: "SHA256",
                                                           serializer: null_serializer)
    rotated = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: null_serializer)
    rotated.rotate(random_key)
    list = { "GCM encryptor" => gcm, "GCM encryptor, random key" => gcm_random, "CBC encryptor" => cbc,
             "rotated encryptor" => rotated }
    # Handed to ActiveSupport internally (whose own inspect shows the secret).
    if Railsess::Compat.active_support?
      list["AES-128-GCM encryptor (ActiveSupport inside)"] =
        Railsess::MessageEncryptor.new(key[0, 16], cipher: "aes-128-gcm", serializer: null_serializer)
    end
    list
  end

  def verifiers
    verifier = Railsess::MessageVerifier.new(verifier_secret, digest: "SHA256", serializer: null_serializer)
    rotated_verifier = Railsess::MessageVerifier.new(verifier_secret, serializer: null_serializer)
    rotated_verifier.rotate(sign_secret)
    list = { "verifier" => verifier, "rotated verifier" => rotated_verifier }
    if Railsess::Compat.active_support?
      list["MD5 verifier (ActiveSupport inside)"] = Railsess::MessageVerifier.new(verifier_secret, digest: "MD5")
    end
    list
  end

  it "keeps every secret and derived key out of inspect, pretty_inspect and to_s" do
    list, derived = objects
    secrets = [key, random_key, sign_secret, verifier_secret, base_secret, key[0, 16], *derived]
    problems = list.flat_map do |label, object|
      { inspect: object.inspect, pretty_inspect: object.pretty_inspect, to_s: object.to_s,
        in_an_array: [object].inspect, in_a_hash: { object: object }.inspect }.filter_map do |how, text|
        found = leaks(text, secrets)
        { object: label, via: how, found: found } unless found.empty?
      end
    end
    expect(problems).to eq([])
  end

  it "keeps secrets out of the messages of the errors it raises" do
    gcm = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: null_serializer)
    cbc = Railsess::MessageEncryptor.new(key, sign_secret, cipher: "aes-256-cbc", serializer: null_serializer)
    verifier = Railsess::MessageVerifier.new(verifier_secret, serializer: null_serializer)
    json_gcm = Railsess::MessageEncryptor.new(key, cipher: "aes-256-gcm", serializer: JSON)
    good_gcm = gcm.encrypt_and_sign("payload")
    good_cbc = cbc.encrypt_and_sign("payload")
    attempts = {
      "GCM tampered" => -> { gcm.decrypt_and_verify(flip(good_gcm, 3)) },
      "GCM tag tampered" => -> { gcm.decrypt_and_verify(flip(good_gcm, good_gcm.size - 4)) },
      "GCM nil" => -> { gcm.decrypt_and_verify(nil) },
      "GCM Integer" => -> { gcm.decrypt_and_verify(42) },
      "GCM garbage" => -> { gcm.decrypt_and_verify("!!!--???--***") },
      "GCM undefined method" => -> { gcm.public_send(:no_such_method) },
      "GCM non-JSON payload read as JSON" => -> { json_gcm.decrypt_and_verify(gcm.encrypt_and_sign("{not json")) },
      "CBC tampered" => -> { cbc.decrypt_and_verify(flip(good_cbc, 5)) },
      "CBC HMAC tampered" => -> { cbc.decrypt_and_verify(flip(good_cbc, good_cbc.size - 2)) },
      "CBC wrong key" => lambda {
        Railsess::MessageEncryptor.new(random_key, sign_secret, cipher: "aes-256-cbc").decrypt_and_verify(good_cbc)
      },
      "CBC Integer" => -> { cbc.decrypt_and_verify(42) },
      "16-byte key, encrypt" => lambda {
        Railsess::MessageEncryptor.new(key[0, 16], cipher: "aes-256-gcm").encrypt_and_sign("x")
      },
      "64-byte key, encrypt" => lambda {
        Railsess::MessageEncryptor.new(key * 2, cipher: "aes-256-gcm").encrypt_and_sign("x")
      },
      "unknown cipher" => -> { Railsess::MessageEncryptor.new(key, cipher: "aes-256-nope").encrypt_and_sign("x") },
      "verifier tampered" => -> { verifier.verify(flip(verifier.generate("x"), 2)) },
      "verifier nil" => -> { verifier.verify(nil) },
      "verifier Integer" => -> { verifier.verify(42) },
      "verifier unknown digest" => -> { Railsess::MessageVerifier.new(verifier_secret, digest: "FOO").generate("x") },
      "key generator, bad salt" => -> { Railsess::KeyGenerator.new(base_secret, iterations: 1).generate_key(nil) },
      "key generator, bad size" => -> { Railsess::KeyGenerator.new(base_secret, iterations: 1).generate_key("s", -1) },
      "key generator, 0 iterations" => -> { Railsess::KeyGenerator.new(base_secret, iterations: 0).generate_key("s") }
    }
    secrets = [key, random_key, sign_secret, verifier_secret, base_secret, key[0, 16], key * 2]
    raised = 0
    problems = attempts.filter_map do |label, attempt|
      attempt.call
      nil
    rescue Exception => e # rubocop:disable Lint/RescueException
      raised += 1
      texts = [e.message, e.inspect, e.full_message(highlight: false)]
      texts << e.detailed_message if e.respond_to?(:detailed_message)
      found = texts.flat_map { |text| leaks(text, secrets) }.uniq
      { attempt: label, error: e.class, found: found } unless found.empty?
    end
    expect(problems).to eq([])
    expect(raised).to be >= attempts.size - 3
  end
end
