# frozen_string_literal: true

# Where the time of one cookie-session read/write goes, piece by piece, railsess vs ActiveSupport
# (aes-256-gcm, serializer: JSON, purpose "cookie._app_session"; the ~300 B and ~3 KB sessions of
# bench/message_encryptor.rb). Not a comparison: each line is one piece timed alone, in µs per call
# (benchmark-ips, 1 s warmup + 2 s unless RAILSESS_BENCH_WARMUP/RAILSESS_BENCH_TIME say otherwise),
# with the Ruby objects it allocates per call (GC.stat delta over 10_000 calls).
#
#   ruby -Ilib bench/profile_decrypt.rb
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/profile_decrypt.rb
#
# It reaches into private methods and Railsess::Native on purpose: it is a tool for the core's
# engineers, and breaks (loudly) when those internals change.

require "base64"
require_relative "support"
require_relative "message_encryptor"

module DecryptProfile
  PURPOSE = EncryptorBench::PURPOSE
  WARMUP = RailsessBench::SMOKE ? 0.05 : Float(ENV.fetch("RAILSESS_BENCH_WARMUP", "1"))
  TIME = RailsessBench::SMOKE ? 0.1 : Float(ENV.fetch("RAILSESS_BENCH_TIME", "2"))
  MARKERS = [Railsess::Native::JSON_CONTENT, Railsess::Native::JSON_GENERAL].freeze

  # Everything one size's pieces need.
  Subject = Struct.new(:label, :value, :as_crypt, :rs_crypt, :as_msg, :rs_msg) do
    def key = as_crypt.instance_variable_get(:@secret)
    def native = rs_crypt.instance_variable_get(:@native)
    def fast_args = rs_crypt.send(:json_fast_args)
    def payload = native.decrypt(rs_msg).first
    def serialized = ::JSON.dump(value)
  end

  module_function

  def rows
    @rows ||= []
  end

  def measure(section, name, &block)
    report = Benchmark.ips(time: TIME, warmup: WARMUP, quiet: true) { |x| x.report(name, &block) }
    ips = report.entries.first.ips
    row = { "section" => section, "piece" => name, "us_per_call" => 1_000_000.0 / ips,
            "allocs_per_call" => RailsessBench.allocations_per_call(block, ips) }
    rows << row
    puts format("  %-68<piece>s %9<us>.2f µs %8<allocs>.1f allocs", piece: name, us: row["us_per_call"],
                                                                    allocs: row["allocs_per_call"])
  end

  def section(title)
    puts
    puts title
  end

  # ActiveSupport 6.1's _decrypt for GCM, up to the plaintext (the `_rails` envelope).
  def as_gcm_decrypt(key, message)
    cipher = OpenSSL::Cipher.new("aes-256-gcm")
    data, iv, tag = message.split("--").map { |v| ::Base64.strict_decode64(v) }
    cipher.decrypt
    cipher.key = key
    cipher.iv = iv
    cipher.auth_tag = tag
    cipher.auth_data = ""
    plain = cipher.update(data)
    plain << cipher.final
  end

  # ActiveSupport 6.1's _encrypt for GCM, from the plaintext (the `_rails` envelope).
  def as_gcm_encrypt(key, plain)
    cipher = OpenSSL::Cipher.new("aes-256-gcm")
    cipher.encrypt
    cipher.key = key
    iv = cipher.random_iv
    cipher.auth_data = ""
    data = cipher.update(plain)
    data << cipher.final
    "#{::Base64.strict_encode64(data)}--#{::Base64.strict_encode64(iv)}--#{::Base64.strict_encode64(cipher.auth_tag)}"
  end

  def subject(label, value)
    as_crypt, rs_crypt = EncryptorBench.encryptors("aes-256-gcm")
    Subject.new(label, value, as_crypt, rs_crypt, *EncryptorBench.messages(as_crypt, rs_crypt, value, "gcm #{label}"))
  end

  def railsess_decrypt(sub)
    native = sub.native
    payload = sub.payload
    fast_args = sub.fast_args
    section "railsess decrypt_and_verify, gcm #{sub.label} " \
            "(#{payload.bytesize} B JSON, #{sub.rs_msg.bytesize} B message)"
    measure("rs decrypt", "MessageEncryptor#decrypt_and_verify (full)") do
      sub.rs_crypt.decrypt_and_verify(sub.rs_msg, purpose: PURPOSE)
    end
    measure("rs decrypt", "Native::Encryptor#decrypt_json (the fast path's one native call)") do
      native.decrypt_json(sub.rs_msg, PURPOSE, true, *fast_args, *MARKERS)
    end
    measure("rs decrypt", "Native::Encryptor#decrypt (base64+GCM+envelope, no JSON value)") do
      native.decrypt(sub.rs_msg)
    end
    measure("rs decrypt", "Native.json_parse(payload) (core JSON -> Ruby objects)") do
      Railsess::Native.json_parse(payload, *fast_args, Railsess::Native::JSON_FALLBACK)
    end
    measure("rs decrypt", "Ruby glue: Railsess::JSON.core_args(:load) (in json_fast_args)") do
      Railsess::JSON.core_args(:load)
    end
    measure("rs decrypt", "reference: ::JSON.parse(payload) (json #{::JSON::VERSION} C ext)") { ::JSON.parse(payload) }
    build = RailsessBench.literal_builder(JSON.parse(payload))
    measure("rs decrypt", "floor: Ruby allocating the same objects (a generated literal)") { build.call }
  end

  def active_support_decrypt(sub)
    envelope = as_gcm_decrypt(sub.key, sub.as_msg)
    payload = sub.payload
    section "ActiveSupport decrypt_and_verify, gcm #{sub.label}"
    measure("as decrypt", "MessageEncryptor#decrypt_and_verify (full)") do
      sub.as_crypt.decrypt_and_verify(sub.as_msg, purpose: PURPOSE)
    end
    measure("as decrypt", "split + 3x Base64.strict_decode64 + OpenSSL GCM decrypt") do
      as_gcm_decrypt(sub.key, sub.as_msg)
    end
    measure("as decrypt", "Messages::Metadata.verify (ActiveSupport::JSON.decode + base64)") do
      ActiveSupport::Messages::Metadata.verify(envelope, PURPOSE)
    end
    measure("as decrypt", "JSON.load(payload) (serializer: JSON's load)") do
      ::JSON.load(payload) # rubocop:disable Security/JSONLoad
    end
  end

  def railsess_encrypt(sub)
    native = sub.native
    serialized = sub.serialized
    section "railsess encrypt_and_sign, gcm #{sub.label}"
    measure("rs encrypt", "MessageEncryptor#encrypt_and_sign (full)") do
      sub.rs_crypt.encrypt_and_sign(sub.value, purpose: PURPOSE)
    end
    measure("rs encrypt", "Railsess::JSON.dump_like_json_gem(value) (the serializer's JSON, native)") do
      Railsess::JSON.dump_like_json_gem(sub.value)
    end
    measure("rs encrypt", "Native::Encryptor#encrypt_enveloped(serialized, nil, purpose)") do
      native.encrypt_enveloped(serialized, nil, PURPOSE)
    end
    measure("rs encrypt", "Ruby glue: legacy_metadata?") { sub.rs_crypt.send(:legacy_metadata?) }
  end

  def active_support_encrypt(sub)
    serialized = sub.serialized
    wrapped = ActiveSupport::Messages::Metadata.wrap(serialized, purpose: PURPOSE)
    section "ActiveSupport encrypt_and_sign, gcm #{sub.label}"
    measure("as encrypt", "MessageEncryptor#encrypt_and_sign (full)") do
      sub.as_crypt.encrypt_and_sign(sub.value, purpose: PURPOSE)
    end
    measure("as encrypt", "JSON.dump(value)") { ::JSON.dump(sub.value) }
    measure("as encrypt", "Messages::Metadata.wrap (base64 + ActiveSupport::JSON.encode)") do
      ActiveSupport::Messages::Metadata.wrap(serialized, purpose: PURPOSE)
    end
    measure("as encrypt", "OpenSSL GCM encrypt + 3x Base64.strict_encode64") { as_gcm_encrypt(sub.key, wrapped) }
  end

  def run
    puts RailsessBench.machine_line
    puts "smoke mode: the numbers mean nothing" if RailsessBench::SMOKE
    subjects = [subject("~300 B", RailsessBench.devise_session), subject("~3 KB", RailsessBench.large_session)]
    %i[railsess_decrypt active_support_decrypt railsess_encrypt active_support_encrypt].each do |pieces|
      subjects.each { |sub| public_send(pieces, sub) }
    end
    RailsessBench.finish("profile_decrypt", "profile" => rows)
  end
end

DecryptProfile.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
