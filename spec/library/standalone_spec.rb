# frozen_string_literal: true

require "open3"
require "rbconfig"

# railsess in a plain Rack app: no ActiveSupport. Runs in a fresh Ruby so nothing is preloaded.
RSpec.describe "railsess without ActiveSupport", kind: :unit do
  def run_ruby(code)
    lib = File.expand_path("../../lib", __dir__)
    out, err, status = Open3.capture3(RbConfig.ruby, "-I#{lib}", "-e", code)
    raise "ruby failed: #{err}" unless status.success?

    out
  end

  it "defaults to Rails 8.1 behaviour with a JSON serializer, never Marshal" do
    out = run_ruby(<<~RUBY)
      require "railsess"
      e = Railsess::MessageEncryptor.new("k" * 32)
      m = e.encrypt_and_sign({ "a" => 1 }, purpose: "p")
      puts Railsess::MessageEncryptor.default_cipher, m.count("-") == 4 && m.split("--").size == 3
      puts e.decrypt_and_verify(m, purpose: "p").inspect
      marshal = Railsess::MessageEncryptor.new("k" * 32, serializer: Marshal).encrypt_and_sign(Object.new)
      puts((e.decrypt_and_verify(marshal) rescue $!.class))
      v = Railsess::MessageVerifier.new("s")
      puts v.verified(v.generate([1], purpose: "x"), purpose: "x").inspect
      puts Railsess.use_message_serializer_for_metadata
      puts Railsess::Native::Verifier.new("s", "SHA1", false, 72).verified(v.generate("z", purpose: "x"))[0, 10]
      puts defined?(ActiveSupport).inspect
    RUBY
    expect(out.lines.map(&:chomp)).to eq(
      ["aes-256-gcm", "true", '{"a"=>1}', "Railsess::MessageEncryptor::InvalidMessage", "[1]", "true",
       '{"_rails":', "nil"]
    )
  end

  it "raises its own error classes, and ActiveSupport-compatible ones once ActiveSupport is loaded" do
    out = run_ruby(<<~RUBY)
      require "railsess"
      e = Railsess::MessageEncryptor.new("k" * 32)
      begin; e.decrypt_and_verify("x--y--z"); rescue Railsess::MessageEncryptor::InvalidMessage => x; puts x.class; end
      require "active_support"; require "active_support/message_encryptor"
      begin
        e.decrypt_and_verify("x--y--z")
      rescue ActiveSupport::MessageEncryptor::InvalidMessage => x
        puts x.is_a?(ActiveSupport::MessageEncryptor::InvalidMessage)
        puts Railsess::MessageEncryptor::InvalidMessage === x
      end
    RUBY
    expect(out.lines.map(&:chomp)).to eq(["Railsess::MessageEncryptor::InvalidMessage", "true", "true"])
  end

  it "behaves like an older Rails when asked to" do
    out = run_ruby(<<~RUBY)
      require "railsess"
      e = Railsess::MessageEncryptor.new("k" * 32, serializer: JSON, rails_version: "6.1")
      m = e.encrypt_and_sign("v", purpose: "p")
      puts e.decrypt_and_verify(m + "--Zm9v", purpose: "p")
      puts Railsess::MessageEncryptor.new("k" * 32, serializer: JSON).then { |n| (n.decrypt_and_verify(m + "--Zm9v", purpose: "p") rescue $!.class) }
      puts((Railsess::MessageEncryptor.new("k" * 32, url_safe: true, rails_version: "7.0") rescue $!.class))
      puts Railsess::MessageVerifier.new("s", rails_version: "6.1").valid_message?(nil).inspect
    RUBY
    expect(out.lines.map(&:chomp)).to eq(["v", "Railsess::MessageEncryptor::InvalidMessage", "ArgumentError", "nil"])
  end

  it "raises Rails' error for MessagePack with msgpack older than 1.7 (else one that asks for " \
     "ActiveSupport 7.1+), and a clear one for unknown ciphers" do
    msgpack17 = begin
      gem "msgpack", ">= 1.7.0"
      true
    rescue LoadError
      false
    end
    out = run_ruby(<<~RUBY)
      require "railsess"
      begin
        Railsess::MessageVerifier.new("s", serializer: :message_pack)
      rescue LoadError => e
        puts "LoadError"
      rescue ArgumentError => e
        puts e.message.include?("needs ActiveSupport 7.1+") ? "ArgumentError" : e.message
      end
      begin
        Railsess::MessageEncryptor.new("k" * 16, cipher: "aes-128-gcm")
      rescue ArgumentError => e
        puts e.message.include?("aes-128-gcm")
      end
    RUBY
    expect(out.lines.map(&:chomp)).to eq([msgpack17 ? "ArgumentError" : "LoadError", "true"])
  end

  it "fails like OpenSSL for a key of the wrong size: at use, not construction" do
    out = run_ruby(<<~RUBY)
      require "railsess"
      e = Railsess::MessageEncryptor.new("short")
      puts((e.encrypt_and_sign("x") rescue "\#{$!.class}: \#{$!.message}"))
      puts((e.decrypt_and_verify("a--b--c") rescue $!.class))
    RUBY
    expect(out.lines.map(&:chomp)).to eq(["ArgumentError: key must be 32 bytes", "ArgumentError"])
  end
end
