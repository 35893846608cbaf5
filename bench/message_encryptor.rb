# frozen_string_literal: true

# Railsess::MessageEncryptor vs ActiveSupport::MessageEncryptor: encrypt_and_sign and
# decrypt_and_verify of a Rails session cookie's value, as the cookie store does it.
#
#   ruby -Ilib bench/message_encryptor.rb
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/message_encryptor.rb   # seconds, proves it runs
#
# Keys come from ActiveSupport::KeyGenerator (iterations: 1000) and are shared by both sides:
#   aes-256-gcm          "authenticated encrypted cookie", 32 bytes (Rails 5.2+ default)
#   aes-256-cbc + SHA1   "encrypted cookie", 32 bytes and "signed encrypted cookie", 64 bytes (legacy)
# Both use serializer: JSON and purpose "cookie._app_session". Each side decrypts a message it
# wrote itself; before anything is timed, each side must read the other's message to the same value.

require_relative "support"

module EncryptorBench
  PURPOSE = "cookie._app_session"

  # One benchmarked case: both encryptors, the value, and the message each of them wrote.
  Case = Struct.new(:name, :value, :as_crypt, :rs_crypt, :as_msg, :rs_msg)

  module_function

  def encryptors(cipher)
    generator = ActiveSupport::KeyGenerator.new(RailsessBench::SECRET_KEY_BASE, iterations: 1000)
    args =
      if cipher == "aes-256-gcm"
        [generator.generate_key("authenticated encrypted cookie", 32)]
      else
        [generator.generate_key("encrypted cookie", 32), generator.generate_key("signed encrypted cookie")]
      end
    options = { cipher: cipher, serializer: JSON }
    options[:digest] = "SHA1" if cipher == "aes-256-cbc"
    [ActiveSupport::MessageEncryptor.new(*args, **options), Railsess::MessageEncryptor.new(*args, **options)]
  end

  # Each side's own message, once both have been shown to read each other's to the same value.
  def messages(as_crypt, rs_crypt, value, name)
    as_msg = as_crypt.encrypt_and_sign(value, purpose: PURPOSE)
    rs_msg = rs_crypt.encrypt_and_sign(value, purpose: PURPOSE)
    RailsessBench.assert_same!("#{name}: parts of the messages", as_msg.split("--").map(&:size),
                               rs_msg.split("--").map(&:size))
    expected = JSON.parse(JSON.generate(value))
    {
      "ActiveSupport reading its own message" => as_crypt.decrypt_and_verify(as_msg, purpose: PURPOSE),
      "ActiveSupport reading railsess' message" => as_crypt.decrypt_and_verify(rs_msg, purpose: PURPOSE),
      "railsess reading ActiveSupport's message" => rs_crypt.decrypt_and_verify(as_msg, purpose: PURPOSE),
      "railsess reading its own message" => rs_crypt.decrypt_and_verify(rs_msg, purpose: PURPOSE)
    }.each { |what, got| RailsessBench.assert_same!("#{name}: #{what} vs the session", expected, got) }
    RailsessBench.assert_same!("#{name}: reading with a wrong purpose",
                               as_crypt.decrypt_and_verify(rs_msg, purpose: "other"),
                               rs_crypt.decrypt_and_verify(as_msg, purpose: "other"))
    [as_msg, rs_msg]
  end

  def prepare(short, cipher, value)
    name = "#{short} #{RailsessBench.size_tag(value)}"
    as_crypt, rs_crypt = encryptors(cipher)
    Case.new(name, value, as_crypt, rs_crypt, *messages(as_crypt, rs_crypt, value, name))
  end

  def bench(kase)
    RailsessBench.compare("decrypt_and_verify #{kase.name}") do |x|
      x.report("activesupport decrypt_and_verify") { kase.as_crypt.decrypt_and_verify(kase.as_msg, purpose: PURPOSE) }
      x.report("railsess decrypt_and_verify") { kase.rs_crypt.decrypt_and_verify(kase.rs_msg, purpose: PURPOSE) }
    end
    RailsessBench.compare("encrypt_and_sign #{kase.name}") do |x|
      x.report("activesupport encrypt_and_sign") { kase.as_crypt.encrypt_and_sign(kase.value, purpose: PURPOSE) }
      x.report("railsess encrypt_and_sign") { kase.rs_crypt.encrypt_and_sign(kase.value, purpose: PURPOSE) }
    end
  end

  def run
    small = RailsessBench.devise_session
    cases = [prepare("gcm", "aes-256-gcm", small), prepare("gcm", "aes-256-gcm", RailsessBench.large_session),
             prepare("cbc-sha1", "aes-256-cbc", small)]
    cases.each { |kase| bench(kase) }
    RailsessBench.finish("message_encryptor")
  end
end

EncryptorBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
