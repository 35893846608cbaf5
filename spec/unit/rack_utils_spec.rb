# frozen_string_literal: true

require "railsess/rack_utils"

RSpec.describe Railsess::RackUtils do
  # What Rack::Utils.escape/unescape are (URI's), for comparison, and the same under RackUtils.
  let(:uri_methods) do
    Module.new do
      def escape(string) = URI.encode_www_form_component(string)
      def unescape(string, encoding = Encoding::UTF_8) = URI.decode_www_form_component(string, encoding)
    end
  end
  let(:rack) { Object.new.extend(uri_methods) }
  let(:fast) { Object.new.extend(uri_methods).extend(described_class) }

  before { described_class.enabled = true }

  def outcome
    [:ok, yield].then { |r| [r, r.last.encoding] }
  rescue StandardError => e
    [[e.class, e.message], nil]
  end

  random = Random.new(2026)
  strings = Array.new(200) { random.bytes(random.rand(40)).force_encoding(%w[UTF-8 BINARY].sample(random: random)) }

  strings.each_with_index do |string, i|
    it "escapes and unescapes string #{i} exactly as Rack does" do
      expect(outcome { fast.escape(string) }).to eq(outcome { rack.escape(string) })
      expect(outcome { fast.unescape(string) }).to eq(outcome { rack.unescape(string) })
      expect(outcome { fast.unescape(string, Encoding::BINARY) }).to eq(outcome do
                                                                          rack.unescape(string, Encoding::BINARY)
                                                                        end)
    end
  end

  it "is what Rack::Utils uses once installed, for cookies too" do
    Railsess.use_native_rack_escaping!
    expect(Rack::Utils.singleton_class.ancestors).to include(described_class)
    header = Rack::Utils.add_cookie_to_header(nil, "_s", value: "a+b/c==", path: "/")
    expect(header).to eq("_s=a%2Bb%2Fc%3D%3D; path=/")
    expect(Rack::Utils.parse_cookies_header("_s=a%2Bb%2Fc%3D%3D")).to eq("_s" => "a+b/c==")
  end
end
