# frozen_string_literal: true

namespace :vectors do
  desc "Write the language-neutral conformance vectors (OUT=path, default pkg/railsess-conformance-vectors.json)"
  task export: :compile do
    $LOAD_PATH.unshift File.expand_path("../lib", __dir__)
    require_relative "../docs/conformance_export"
    out = ENV.fetch("OUT", File.expand_path("../pkg/railsess-conformance-vectors.json", __dir__))
    FileUtils.mkdir_p(File.dirname(out))
    data = ConformanceExport.build
    File.write(out, "#{JSON.pretty_generate(data)}\n")
    counts = data["counts"].map { |kind, n| "#{kind} #{n}" }.join(", ")
    puts "vectors:export: #{data['cases'].size} cases (#{counts}) -> #{out}"
  end
end
