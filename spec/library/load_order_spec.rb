# frozen_string_literal: true

require "open3"
require "rbconfig"

# The README's load order for a plain Ruby process: railsess first, ActiveSupport after it (ActiveSupport
# 8.1 loads ActiveSupport::Messages only with its message classes).
RSpec.describe "railsess required before ActiveSupport", :active_support, kind: :compat do
  it "generates and verifies with a purpose, and follows ActiveSupport's metadata setting" do
    lib = File.expand_path("../../lib", __dir__)
    code = <<~RUBY
      require "railsess"
      require "active_support"
      v = Railsess::MessageVerifier.new("s" * 32, serializer: JSON)
      m = v.generate("x", purpose: "p")
      puts v.verified(m, purpose: "p"), v.verified(m, purpose: "q").inspect
      require "active_support/message_verifier"
      a = ActiveSupport::MessageVerifier.new("s" * 32, serializer: JSON)
      puts a.verified(m, purpose: "p"), v.verified(a.generate("y", purpose: "p"), purpose: "p")
    RUBY
    out, err, status = Open3.capture3(RbConfig.ruby, "-I#{lib}", "-e", code)
    expect(status).to be_success, err
    expect(out.lines.map(&:chomp)).to eq(%w[x nil x y])
  end
end
