// The precsearch command-line tool: a thin shell over PrecSearchCLI (see PrecSearchTool for exit statuses).
import Foundation
import PrecSearchCLI

var output = StandardOutputStream()
var errors = StandardErrorStream()
let status = PrecSearchTool.run(arguments: Array(CommandLine.arguments.dropFirst()), output: &output, errors: &errors)
exit(status)
