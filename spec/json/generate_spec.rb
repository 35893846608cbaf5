# frozen_string_literal: true

require "active_support"
require "active_support/json"

JSON_GENERATE_PIECES = ["a", "<", ">", "&", "\"", "\\", "\n", "\u2028", "\u00e9", "\u{1F600}", "/", "\u0001",
                        "\x7f"].freeze

# The core writes JSON for plain values (the session hashes cookies carry). Its text must be
# exactly Ruby's: `JSON.generate` / `JSON.dump` for flags 0, ActiveSupport::JSON.encode with the
# escaping flags; anything it does not handle comes back nil and Ruby writes it.
RSpec.describe "Railsess::Native.json_generate", kind: :unit do
  before { skip "the pure-Ruby port declines (nil): Ruby writes all JSON" unless Railsess.native? }

  html = Railsess::JSON::GENERATE_HTML
  separators = Railsess::JSON::GENERATE_SEPARATORS
  active_support = Railsess::JSON::GENERATE_ACTIVE_SUPPORT

  def generate(value, flags)
    Railsess::Native.json_generate(value, flags)
  end

  def with_html_escaping(value)
    old = ActiveSupport.escape_html_entities_in_json
    ActiveSupport.escape_html_entities_in_json = value
    yield
  ensure
    ActiveSupport.escape_html_entities_in_json = old
  end

  # Every code point (surrogates excepted), in strings of 256, as values and as keys.
  all_chars = (0..0x10FFFF).reject { |cp| (0xD800..0xDFFF).cover?(cp) }
                           .each_slice(256).map { |slice| slice.pack("U*") }

  # Random plain documents: nested Hashes/Arrays of Strings (with characters that need
  # escaping), Fixnums, true/false/nil.
  def random_plain(rng, depth = 0)
    case depth > 4 ? rng.rand(5) : rng.rand(7)
    when 0 then rng.rand(-(2**62)...(2**62)) >> rng.rand(62)
    when 1 then [true, false, nil].sample(random: rng)
    when 2..4 then Array.new(rng.rand(12)) { JSON_GENERATE_PIECES.sample(random: rng) }.join
    when 5 then Array.new(rng.rand(5)) { random_plain(rng, depth + 1) }
    else Array.new(rng.rand(5)) { [random_plain(rng, 3).to_s, random_plain(rng, depth + 1)] }.to_h
    end
  end

  it "writes JSON.generate's and JSON.dump's text for every character" do
    all_chars.each do |chars|
      expect(generate(chars, 0)).to eq(JSON.generate(chars))
      expect(generate({ chars => [chars] }, 0)).to eq(JSON.dump({ chars => [chars] }))
    end
  end

  it "writes ActiveSupport::JSON.encode's text for every character, with and without HTML escaping" do
    [true, false].each do |escape_html|
      with_html_escaping(escape_html) do
        flags = active_support | separators | (escape_html ? html : 0)
        all_chars.each do |chars|
          expect(generate({ chars => chars }, flags)).to eq(ActiveSupport::JSON.encode({ chars => chars }))
        end
      end
    end
  end

  it "agrees with both on random plain documents, and returns UTF-8 Strings" do
    rng = Random.new(2024)
    500.times do
      doc = random_plain(rng)
      expect(generate(doc, 0)).to eq(JSON.generate(doc))
      native = generate(doc, active_support | separators | html)
      expect(native).to eq(ActiveSupport::JSON.encode(doc))
      expect(native.encoding).to eq(Encoding::UTF_8)
    end
  end

  it "writes Fixnums at both ends of their range and Symbol keys by name (JSON gem only)" do
    doc = { max: (2**62) - 1, min: -(2**62), "zero" => 0, s: [] }
    expect(generate(doc, 0)).to eq(JSON.generate(doc))
    expect(generate(doc, active_support | html | separators)).to be_nil
  end

  it "leaves to Ruby everything whose text Ruby might write differently" do
    subclass = Class.new(String)
    hash_subclass = Class.new(Hash)
    singleton = +"x"
    def singleton.to_json(*) = '"y"'
    deep = 64.times.reduce([]) { |inner, _| [inner] }
    [1.5, 2**64, -(2**64), :sym, Object.new, Time.at(0), subclass.new("x"), hash_subclass.new, singleton,
     "\xff".dup.force_encoding("UTF-8"), "caf\xe9".dup.force_encoding("ISO-8859-1"), "x".b, deep,
     { 1 => "a" }, { nil => 1 }, { "a" => [1, 2.5] }].each do |value|
      expect(generate(value, 0)).to be_nil, value.inspect
      expect(generate({ "k" => value }, active_support | html | separators)).to be_nil, value.inspect
    end
    expect(generate({ "n" => 5.to_s }, active_support)).to eq('{"n":"5"}') # US-ASCII
    expect(generate("\xff".dup.force_encoding("US-ASCII"), 0)).to be_nil
    expect(generate(deep.first, 0)).to eq(JSON.dump(deep.first))
  end

  it "rejects unknown flags" do
    expect { generate({}, 8) }.to raise_error(ArgumentError)
    expect { generate({}, -1) }.to raise_error(RangeError)
  end

  describe Railsess::JSON do
    it "encodes through the core as ActiveSupport does, honouring its escaping switches" do
      rng = Random.new(7)
      [true, false].each do |escape_html|
        with_html_escaping(escape_html) do
          200.times do
            doc = random_plain(rng)
            expect(described_class.encode(doc)).to eq(ActiveSupport::JSON.encode(doc))
          end
          mixed = { "t" => 1.5, "s" => :sym, "n" => [nil, "\u2028<"], sym: 1 }
          expect(described_class.encode(mixed)).to eq(ActiveSupport::JSON.encode(mixed))
        end
      end
    end

    it "dumps like JSON.dump, and follows changed dump options" do
      doc = { "a" => "</script>", "b" => [1, nil] }
      expect(described_class.dump_like_json_gem(doc)).to eq(JSON.dump(doc))
      old = JSON.dump_default_options
      JSON.dump_default_options = old.merge(escape_slash: true)
      begin
        expect(described_class.dump_like_json_gem(doc)).to eq(JSON.dump(doc))
        expect(described_class.dump_like_json_gem(doc)).to include("<\\/script>")
      ensure
        JSON.dump_default_options = old
      end
      expect(described_class.dump_like_json_gem(doc)).to eq(JSON.dump(doc))
    end
  end
end
