# frozen_string_literal: true

# Cookie jar and session cookie vectors, read at the crypto level: the app's key generator and
# salts, the jar's encryptor/verifier with purpose "cookie.<name>", then the cookie serializer.
# (The Rack middleware and cookie jar of the next layer have specs of their own.)
RSpec.describe "cookie and session vectors from real Rails", kind: :vectors do
  %w[cookie session].each do |kind|
    Vectors.of_kind(kind).each do |version, v|
      name = kind == "cookie" ? v["name"] : v["key"]
      jar = kind == "cookie" ? v["jar"] : "encrypted"
      expected = kind == "cookie" ? v["expect"]["value"] : v["expect"]["session"]

      it "reads the #{version} #{v['preset']} #{jar} #{kind} #{name}" do
        reader = Vectors.cookie_reader(v["config"], jar, version)
        value = Vectors.read_cookie(reader, name, v["cookie_value"], v["config"]["cookies_serializer"])
        expect(value).to eq(expected)
        expect(v["set_cookie"]).to start_with("#{name}=#{v['cookie_value']}")
      end
    end
  end
end
