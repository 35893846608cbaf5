# frozen_string_literal: true

# The core parses JSON straight into Ruby objects on the hot path. It must give exactly what
# Ruby's JSON.parse / JSON.load give (values, classes, encodings) or hand the text back to them.
RSpec.describe Railsess::JSON, kind: :unit do
  def outcome
    [:ok, yield]
  rescue StandardError => e
    [:error, e.class]
  end

  # Deep equality that also compares classes and string encodings (1 == 1.0 would hide a bug).
  def shape(value)
    case value
    when Hash then value.to_h { |k, v| [shape(k), shape(v)] }
    when Array then value.map { |v| shape(v) }
    when String then [value, value.encoding.name]
    when Float then [value.nan? ? :nan : value, value.to_s, :float]
    else [value, value.class]
    end
  end

  corpus = [
    '{"a":1}', "[]", "{}", "1", "-1", "0", "-0", "-0.0", "0.0", "1.5", "1e3", "1E+3", "1e-7", "2.5e400",
    "123456789012345678", "1234567890123456789", "-9223372036854775808", "18446744073709551615",
    "12345678901234567890123", "0.1", "1.7976931348623157e308", "5e-324", "3.141592653589793238462643383279",
    '"x"', '""', '"\u00e9\ud83d\ude00"', '"\ud800"', '"\\u0000"', '"tab\\there"', '"quote\\"back\\\\slash"',
    '"\\/"', '"caf\xC3\xA9"', "\"bad\xFF\"", "true", "false", "null", " [1, 2] ", "\n{\"a\" :\t[ ] }\n",
    '{"a":1,"a":2}', '{"b":1,"a":2}', '{"json_class":"String","raw":[97]}', '{"x":{"json_class":"X"}}',
    "[NaN]", "[Infinity]", "[-Infinity]", "/* c */ [1]", "[1] // c", "[1,]", '{"a":1,}', "[01]", "[1.]",
    "", "   ", "nul", "[", "]", "{\"a\"}", "[1] x", "\xEF\xBB\xBF[1]", "'a'", "[1e]",
    ("[" * 100) + ("]" * 100), ("[" * 101) + ("]" * 101), ("[" * 200) + ("]" * 200),
    "#{'{"a":' * 101}1#{'}' * 101}",
    # containers around the core's 16-slot frame buffers (8 pairs), duplicate keys on both sides
    "[#{(1..16).to_a.join(',')}]", "[#{(1..17).to_a.join(',')}]", "[#{(1..40).to_a.join(',')}]",
    "{#{('a'..'h').map { |k| %("#{k}":1) }.join(',')}}", "{#{('a'..'i').map { |k| %("#{k}":1) }.join(',')}}",
    "{#{('a'..'h').map { |k| %("#{k}":1) }.join(',')},\"a\":2}", '{"a":1,"b":2,"a":3,"c":4}',
    "[#{Array.new(40) { |i| %({"id":#{i},"name":"n#{i % 3}","\\u00e9":[#{i}]}) }.join(',')}]"
  ].map { |s| s.dup.force_encoding(Encoding::UTF_8) }

  it "parses like JSON.parse, or leaves the text to it" do
    native = corpus.count do |json|
      !Railsess::Native.json_parse(json, 100, nil,
                                   Railsess::Native::JSON_FALLBACK).equal?(Railsess::Native::JSON_FALLBACK)
    end
    # The core really parses most of them itself; the pure-Ruby port leaves them all to Ruby.
    expect(native).to(Railsess.native? ? be > 25 : eq(0))
    corpus.each do |json|
      expect(outcome { shape(described_class.parse(json) { JSON.parse(json) }) })
        .to eq(outcome { shape(JSON.parse(json)) }), json.inspect
    end
  end

  it "loads like JSON.load with its default options" do
    corpus.each do |json|
      expect(outcome { shape(described_class.load_like_json_gem(json)) })
        .to eq(outcome { shape(JSON.load(json)) }), json.inspect # rubocop:disable Security/JSONLoad
    end
  end

  it "agrees with JSON.parse on generated documents" do
    rng = Random.new(42)
    leaf = lambda do
      case rng.rand(7)
      when 0 then rng.rand(-10**6..(10**6))
      when 1 then rng.rand * (10**rng.rand(-5..20))
      when 2 then Array.new(rng.rand(0..12)) { [rng.rand(0x20..0x2FFF)].pack("U") }.join
      when 3 then [true, false, nil].sample(random: rng)
      when 4 then "<&>\u2028 \"\\/\n"
      when 5 then rng.rand((2**63)..(2**70))
      else ""
      end
    end
    build = lambda do |depth|
      return leaf.call if depth > 4 || rng.rand(3).zero?

      if rng.rand(2).zero?
        Array.new(rng.rand(0..5)) { build.call(depth + 1) }
      else
        Array.new(rng.rand(0..5)) { [leaf.call.to_s, build.call(depth + 1)] }.to_h
      end
    end
    500.times do
      json = JSON.generate(build.call(0))
      expect(shape(described_class.parse(json) { JSON.parse(json) })).to eq(shape(JSON.parse(json))), json
    end
  end

  it "takes binary and US-ASCII sources as JSON.parse does, and hands other encodings back" do
    %w[ASCII-8BIT US-ASCII UTF-16LE].each do |encoding|
      json = '{"a":"b"}'.encode(encoding == "ASCII-8BIT" ? "UTF-8" : encoding)
      json.force_encoding(encoding) if encoding == "ASCII-8BIT"
      expect(outcome { shape(described_class.parse(json) { JSON.parse(json) }) })
        .to eq(outcome { shape(JSON.parse(json)) }), encoding
    end
  end
end

RSpec.describe "Railsess::JSON.encode compared with ActiveSupport::JSON.encode", :active_support, kind: :compat do
  values = [
    { "session_id" => "5f0c2b1d9a7e4c3b8f6a2d1e0c9b8a7f", "warden.user.user.key" => [[1], "$2a$12$abc"],
      "flash" => { "discard" => [], "flashes" => { "notice" => "<b>Signed in</b> & \u2028ok\u2029" } } },
    { "floats" => [0.1, -0.0, 1.0e20, 1.0e-7, 2.5, Float::INFINITY, Float::NAN] },
    { "big" => 2**70, "neg" => -12, "t" => true, "f" => false, "n" => nil, "uni" => "ü€\u{1F600}" },
    { sym_key: :sym_value, "time" => Time.utc(2024, 1, 2, 3, 4, 5.678r), "range" => (1..3) },
    ["a", ["<", [">", ["&"]]]], "just a string", 42, nil, {}, []
  ]

  [true, false].each do |escape|
    values.each_with_index do |value, i|
      it "writes ActiveSupport's bytes for value #{i} (escape_html_entities_in_json: #{escape})" do
        before = ActiveSupport.escape_html_entities_in_json
        ActiveSupport.escape_html_entities_in_json = escape
        expect(Railsess::JSON.encode(value)).to eq(ActiveSupport::JSON.encode(value))
      ensure
        ActiveSupport.escape_html_entities_in_json = before
      end
    end
  end
end
