# frozen_string_literal: true

# Bad input for a MessageEncryptor or a MessageVerifier, compared with ActiveSupport: what the two
# have in common, written once (spec/message_encryptor/bad_input_spec.rb and
# spec/message_verifier/bad_input_spec.rb include these with their own configurations).
# The including group provides:
#   as, rs            ActiveSupport's and railsess' object, configured alike
#   write_method      :encrypt_and_sign or :generate
#   messages          { label => a valid message }, one of them labelled "AS"
#   foreign_messages  { label => a message written with another key or secret }
#   framing_inputs    { label => a re-framed copy of messages["AS"] } that only make sense for its format
#   read_value(codec, message, purpose)              the call that returns the value (or nil)
#   read_divergences(inputs, as, rs, purpose: nil)   rows where the two sides' reads differ
#   codec_pair(serializer)   [ActiveSupport's, railsess'] with the same configuration and `serializer`
#   raw_writer               ActiveSupport's, writing exactly the bytes it is given (NullSerializer)
#   crafted_extras           { label => content } for raw_writer only (ActiveSupport 6.1 cannot encrypt "")
require_relative "../compat_helpers"

module BadInput
  # Readers for the crafted contents and the serializer mismatches.
  SERIALIZERS = {
    "Marshal" => -> { ::Marshal }, "::JSON" => -> { ::JSON },
    "NullSerializer" => -> { ::ActiveSupport::MessageEncryptor::NullSerializer }
  }.freeze

  # Contents a reader's metadata and serializer code must handle as ActiveSupport does.
  CRAFTED = {
    "envelope, bad base64" => '{"_rails":{"message":"!!!","exp":null,"pur":null}}',
    "envelope, message null" => '{"_rails":{"message":null,"exp":null,"pur":null}}',
    "envelope, _rails is 1" => '{"_rails":1}',
    "envelope, _rails is null" => '{"_rails":null}',
    "envelope, _rails is a string" => '{"_rails":"x"}',
    "envelope, _rails is an array" => '{"_rails":["eA=="]}',
    "envelope, no exp/pur keys" => '{"_rails":{"message":"eA=="}}',
    "envelope, exp garbage" => '{"_rails":{"message":"eA==","exp":"soon","pur":null}}',
    "envelope, exp number" => '{"_rails":{"message":"eA==","exp":123,"pur":null}}',
    "envelope, exp past" => '{"_rails":{"message":"eA==","exp":"2001-01-01T00:00:00.000Z","pur":null}}',
    "envelope, exp future, no ms" => '{"_rails":{"message":"eA==","exp":"2999-01-01T00:00:00Z","pur":null}}',
    "envelope, exp with offset" => '{"_rails":{"message":"eA==","exp":"2999-01-01T00:00:00+09:00","pur":null}}',
    "envelope, pur login" => '{"_rails":{"message":"eA==","exp":null,"pur":"login"}}',
    "envelope, pur number" => '{"_rails":{"message":"eA==","exp":null,"pur":1}}',
    "envelope, pur array" => '{"_rails":{"message":"eA==","exp":null,"pur":["login"]}}',
    "envelope, key order changed" => '{"_rails":{"pur":null,"exp":null,"message":"eA=="}}',
    "envelope, extra top-level key" => '{"_rails":{"message":"eA==","exp":null,"pur":null},"x":1}',
    "envelope, escaped key" => '{"\u005frails":{"message":"eA==","exp":null,"pur":null}}',
    "envelope, whitespace" => ' { "_rails" : { "message" : "eA==" , "exp" : null , "pur" : null } } ',
    "envelope, duplicate _rails" => '{"_rails":1,"_rails":{"message":"eA==","exp":null,"pur":null}}',
    "envelope, Marshal inside" => %({"_rails":{"message":"#{Base64.strict_encode64(Marshal.dump('m'))}",) \
                                  '"exp":null,"pur":null}}',
    "envelope, invalid UTF-8 in pur" => "{\"_rails\":{\"message\":\"eA==\",\"exp\":null,\"pur\":\"\xFF\"}}".b,
    "JSON null" => "null", "JSON false" => "false", "JSON true" => "true", "JSON number" => "42",
    "JSON string" => '"str"', "JSON array" => "[1,2]", "JSON empty object" => "{}",
    "JSON NaN" => "NaN", "JSON Infinity" => "[Infinity, -Infinity]", "JSON huge float" => "1e400",
    "JSON big integer" => "123456789012345678901234567890", "JSON negative zero" => "-0",
    "JSON float forms" => "[1.0, 1E2, 0.1e1, -1.5e-3]",
    "JSON lone surrogate" => '"\ud800"', "JSON escaped NUL" => '"\u0000"',
    "JSON invalid UTF-8 in string" => "[\"\xFF\"]".b, "JSON duplicate keys" => '{"a":1,"a":2}',
    "JSON trailing comma" => "[1,]", "JSON comment" => "/* c */ [1]", "JSON BOM" => "\xEF\xBB\xBF[1]".b,
    "JSON trailing garbage" => "[1] x", "JSON unterminated" => '"abc', "JSON bare word" => "tru",
    "JSON whitespace only" => "   ", "JSON json_class" => '{"json_class":"String","raw":[97]}',
    "JSON nested 100" => "#{'[' * 100}#{']' * 100}", "JSON nested 101" => "#{'[' * 101}#{']' * 101}",
    "JSON nested 3000" => "#{'[' * 3000}#{']' * 3000}",
    "JSON escapes" => '["\u00e9\/\b\f\n\r\t\"\\\\", "\ud83d\ude00"]',
    "JSON escapes, no quote or backslash" => '["\u00e9\/\b\f\n\r\t", "\ud83d\ude00"]',
    "JSON escapes and UTF-8" => '["é", "\u00e9"]',
    "JSON control char in string" => "[\"a\tb\"]", "JSON single quotes" => "['a']",
    "Marshal string" => Marshal.dump("m"), "Marshal hash" => Marshal.dump({ a: 1 }),
    "Marshal truncated" => Marshal.dump("marshal").byteslice(0, 5),
    "Marshal wrong version" => "\x04\x09I\"\x06m\x06:\x06ET".b,
    "text" => "plain text", "binary" => CompatHelpers::BINARY
  }.freeze

  # Blank, garbage, re-encoded and re-framed copies of `message`, whatever its format.
  def self.garbage(message)
    {
      "empty" => "", "space" => " ", "spaces" => "  ", "tab/newline" => "\t\n", "newline" => "\n",
      "ideographic space" => "\u3000", "=" => "=", "NUL bytes" => "\0\0--\0", "non-base64" => "!!!--???--***",
      "--" => "--", "----" => "----", "--Zm9v" => "--Zm9v", "a--" => "a--", "--b" => "--b", "a--b" => "a--b",
      "a--b--c" => "a--b--c", "Zm9v" => "Zm9v", "Zm9v--Zm9v" => "Zm9v--Zm9v", "Zm9v--Zm9v--Zm9v" => "Zm9v--Zm9v--Zm9v",
      "extra --Zm9v segment" => "#{message}--Zm9v",
      "two extra segments" => "#{message}--Zm9v--YmFy",
      "trailing --" => "#{message}--",
      "leading --" => "--#{message}",
      "doubled" => "#{message}--#{message}",
      "trailing newline" => "#{message}\n",
      "leading space" => " #{message}",
      "url-safe alphabet" => message.tr("+/", "-_"),
      "upcased" => message.upcase,
      "binary encoding" => message.b,
      "US-ASCII encoding" => message.dup.force_encoding(Encoding::US_ASCII),
      "frozen" => message.dup.freeze,
      "invalid UTF-8" => "\xFF\xFE--\xC3(",
      "invalid UTF-8 appended" => "#{message}\xFF",
      "invalid UTF-8, binary-tagged" => "\xFF\xFE--\xC3(".b,
      "valid message tagged UTF-16LE" => message.dup.force_encoding(Encoding::UTF_16LE),
      "UTF-16LE transcoded" => message.encode(Encoding::UTF_16LE),
      "blank UTF-16LE" => "  ".encode(Encoding::UTF_16LE),
      "1 MB of A" => "A" * 1_000_000
    }
  end
end

# One configuration's messages, mangled every way, and read back by both sides.
RSpec.shared_examples "reading bad input like ActiveSupport" do
  it "rejects a message with one character changed, at every position, as ActiveSupport does" do
    inputs = messages.flat_map do |writer, message|
      positions(message).map { |i| ["#{writer} message, char #{i} (#{message[i]})", flip(message, i)] }
    end
    expect(read_divergences(inputs, as, rs)).to eq([])
    expect(read_divergences(inputs.last(40), as, rs, purpose: "login")).to eq([])
  end

  it "rejects a truncated message, cut at every length, as ActiveSupport does" do
    inputs = messages.flat_map do |writer, message|
      (0...message.size).map { |n| ["#{writer} message cut to #{n}", message[0, n]] }
    end
    expect(read_divergences(inputs, as, rs)).to eq([])
  end

  it "handles blank, garbage, re-encoded and re-framed messages as ActiveSupport does" do
    inputs = BadInput.garbage(messages["AS"]).merge(framing_inputs)
    expect(read_divergences(inputs, as, rs)).to eq([])
  end

  it "raises what ActiveSupport raises for a message that is not a String" do
    inputs = { "nil" => nil, "Integer" => 1, "Float" => 1.5, "Symbol" => :message, "Array" => ["a--b"],
               "Array of parts" => messages["AS"].split("--"), "Hash" => {}, "true" => true,
               "Object" => Object.new }
    expect(read_divergences(inputs, as, rs)).to eq([])
  end

  it "rejects messages written with another key or secret as ActiveSupport does" do
    expect(read_divergences(foreign_messages.to_a, as, rs)).to eq([])
    expect(read_divergences(foreign_messages.to_a, as, rs, purpose: "login")).to eq([])
  end

  it "answers a wrong purpose or an expired message as ActiveSupport does" do
    cases = {
      "purpose, read without" => [{ purpose: "login" }, nil],
      "no purpose, read with one" => [{}, "login"],
      "purpose, read with another" => [{ purpose: "login" }, "admin"],
      "symbol purpose, read with a string" => [{ purpose: :login }, "login"],
      "expired (expires_at)" => [{ expires_at: Time.now - 1 }, nil],
      "expired (expires_in -1)" => [{ expires_in: -1 }, nil],
      "expired, purpose" => [{ expires_at: Time.now - 60, purpose: "login" }, "login"],
      "expired, wrong purpose" => [{ expires_at: Time.now - 60, purpose: "login" }, nil]
    }
    problems = cases.flat_map do |case_label, (write, read_purpose)|
      [as, rs].flat_map do |writer|
        status, message = write_one(writer, write_method, "value", write)
        raise "#{writer.class} could not write #{case_label}: #{message}" unless status == :ok

        read_divergences([["#{case_label} (#{writer.class})", message]], as, rs, purpose: read_purpose)
      end
    end
    expect(problems).to eq([])
    expect(read_value(rs, as.public_send(write_method, "v", purpose: "a"), "b")).to be_nil
  end
end

# What a configuration reads when the message is fine but its content is not what the reader expects.
RSpec.shared_examples "reading unexpected content like ActiveSupport" do
  # ActiveSupport 6.1 computes expires_in with Time#advance (active_support/core_ext/time, loaded in
  # every Rails app but not by `require "active_support/message_encryptor"` or "message_verifier").
  it "does what ActiveSupport does with expires_in where Time#advance is missing" do
    expected = outcome { as.public_send(write_method, "v", expires_in: 60) }
    actual = outcome { rs.public_send(write_method, "v", expires_in: 60) }
    expect(actual.first).to eq(expected.first), "ActiveSupport #{expected.inspect[0, 100]}, " \
                                                "railsess #{actual.inspect[0, 100]}"
    expect(actual).to eq(expected) if expected.first == :error
  end

  mismatch_values = { "Marshal" => { "a" => [1, :sym] }, "::JSON" => { "a" => [1, "b"] },
                      "NullSerializer" => "plain text, not JSON" }
  mismatch_values.each do |writer_label, value|
    it "reads a #{writer_label} message with every serializer as ActiveSupport does" do
      writer = codec_pair(BadInput::SERIALIZERS.fetch(writer_label).call).first
      readers = BadInput::SERIALIZERS.merge("ActiveSupport::JSON" => -> { ::ActiveSupport::JSON })
      problems = readers.flat_map do |reader_label, reader|
        as, rs = codec_pair(reader.call)
        [nil, "login"].flat_map do |purpose|
          input = ["#{writer_label} read by #{reader_label}", writer.public_send(write_method, value, purpose: purpose)]
          read_divergences([input], as, rs, purpose: purpose)
        end
      end
      expect(problems).to eq([])
    end
  end

  # ActiveSupport's object with NullSerializer writes exactly the bytes given, so these reach the
  # metadata and serializer code of both sides unchanged.
  BadInput::SERIALIZERS.each do |reader_label, reader|
    it "reads crafted contents with #{reader_label}: same value or error as ActiveSupport" do
      as, rs = codec_pair(reader.call)
      inputs = BadInput::CRAFTED.merge(crafted_extras)
                                .map { |label, plain| [label, raw_writer.public_send(write_method, plain.dup)] }
      expect(read_divergences(inputs, as, rs)).to eq([])
      expect(read_divergences(inputs, as, rs, purpose: "login")).to eq([])
    end
  end
end
