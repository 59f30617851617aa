from . import controllers, models, report, tools, wizard
